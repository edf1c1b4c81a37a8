using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Infrar.Testing;
using Xunit;

namespace Infrar.Sdk.Tests.Conformance;

/// <summary>
/// The SQS contract server against Amazon's own library, AWSSDK.SQS: what the library sends is accepted, what the server
/// answers the library accepts (its MD5 checks of bodies and attributes included), and SQS's documented rules hold.
/// The queue provider for aws will be tested against this server.
/// </summary>
public sealed class SqsContractServerTests : IAsyncLifetime
{
    private SqsContractServer _server = null!;
    private AmazonSQSClient _sqs = null!;

    public Task InitializeAsync()
    {
        _server = new SqsContractServer(FreePort.Next());
        _sqs = new AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = _server.ServiceUrl, AuthenticationRegion = SqsContractServer.Region });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _sqs.Dispose();
        await _server.DisposeAsync();
        Assert.Empty(_server.Violations);
    }

    private async Task<string> CreateAsync(string name, Dictionary<string, string>? attributes = null) =>
        (await _sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes ?? [] })).QueueUrl;

    private Task<ReceiveMessageResponse> ReceiveAsync(string url, int max = 10, int wait = 0, int? visibility = null) =>
        _sqs.ReceiveMessageAsync(new ReceiveMessageRequest
        {
            QueueUrl = url,
            MaxNumberOfMessages = max,
            WaitTimeSeconds = wait,
            VisibilityTimeout = visibility,
            MessageAttributeNames = ["All"],
            MessageSystemAttributeNames = ["All"],
        });

    [Fact]
    public async Task A_message_with_attributes_goes_round_trip_and_the_library_accepts_every_digest()
    {
        var url = await CreateAsync("jobs");
        Assert.Equal(url, (await _sqs.GetQueueUrlAsync("jobs")).QueueUrl);

        var sent = await _sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = "thumbnail photos/cat.jpg ✓",
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                ["width"] = new() { DataType = "Number", StringValue = "128" },
                ["kind"] = new() { DataType = "String", StringValue = "jpeg" },
            },
        });
        var received = Assert.Single((await ReceiveAsync(url)).Messages);

        Assert.Equal(sent.MessageId, received.MessageId);
        Assert.Equal("thumbnail photos/cat.jpg ✓", received.Body);
        Assert.Equal("128", received.MessageAttributes["width"].StringValue);
        Assert.Equal("1", received.Attributes["ApproximateReceiveCount"]);
        await _sqs.DeleteMessageAsync(url, received.ReceiptHandle);
        Assert.Empty((await ReceiveAsync(url)).Messages ?? []);
    }

    [Fact]
    public async Task The_library_checks_the_body_digest_so_the_server_s_digests_are_checked_too()
    {
        var url = await CreateAsync("digests");
        _server.CorruptNextDigest();

        var mismatch = await Assert.ThrowsAsync<AmazonSQSException>(() => _sqs.SendMessageAsync(url, "checked"));

        Assert.Contains("MD5", mismatch.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_message_not_deleted_returns_after_its_visibility_timeout_with_a_new_receipt_handle()
    {
        // The queue's 3 s lease must outlast the check that nobody else gets the message on a loaded machine; the second
        // receive asks for 60 s, so its lease is still held when it is changed below.
        var url = await CreateAsync("leases", new() { ["VisibilityTimeout"] = "3" });
        await _sqs.SendMessageAsync(url, "work");

        var first = Assert.Single((await ReceiveAsync(url)).Messages);
        Assert.Empty((await ReceiveAsync(url)).Messages ?? []);
        var second = Assert.Single((await ReceiveAsync(url, wait: 10, visibility: 60)).Messages);

        Assert.Equal(first.MessageId, second.MessageId);
        Assert.NotEqual(first.ReceiptHandle, second.ReceiptHandle);
        Assert.Equal("2", second.Attributes["ApproximateReceiveCount"]);
        await Assert.ThrowsAsync<MessageNotInflightException>(() => _sqs.ChangeMessageVisibilityAsync(url, first.ReceiptHandle, 60));
        await _sqs.ChangeMessageVisibilityAsync(url, second.ReceiptHandle, 60);
        Assert.Empty((await ReceiveAsync(url, wait: 2)).Messages ?? []);
    }

    [Fact]
    public async Task A_delayed_message_waits_and_long_polling_returns_it_when_it_arrives()
    {
        var url = await CreateAsync("delays");
        await _sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = "later", DelaySeconds = 2 });

        Assert.Empty((await ReceiveAsync(url)).Messages ?? []);
        var started = DateTime.UtcNow;
        var message = Assert.Single((await ReceiveAsync(url, wait: 5)).Messages);

        Assert.Equal("later", message.Body);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_redrive_policy_moves_a_message_received_max_receive_count_times_to_the_dead_letter_queue()
    {
        var deadLetters = await CreateAsync("jobs-dead-letters");
        var url = await CreateAsync("poison", new()
        {
            ["VisibilityTimeout"] = "1",
            ["RedrivePolicy"] = $$"""{"deadLetterTargetArn":"arn:aws:sqs:{{SqsContractServer.Region}}:{{SqsContractServer.Account}}:jobs-dead-letters","maxReceiveCount":"2"}""",
        });
        await _sqs.SendMessageAsync(url, "poison");

        for (var receive = 1; receive <= 2; receive++)
        {
            var message = Assert.Single((await ReceiveAsync(url, wait: 3)).Messages);
            Assert.Equal($"{receive}", message.Attributes["ApproximateReceiveCount"]);
        }

        Assert.Empty((await ReceiveAsync(url, wait: 2)).Messages ?? []);
        var dead = Assert.Single((await ReceiveAsync(deadLetters)).Messages);
        Assert.Equal("poison", dead.Body);
    }

    [Fact]
    public async Task Batches_keep_their_entry_ids_and_sqs_limits_are_refused_with_its_own_errors()
    {
        var url = await CreateAsync("batches");
        var entries = Enumerable.Range(0, 10).Select(i => new SendMessageBatchRequestEntry($"e{i}", $"m{i}")).ToList();

        var sent = await _sqs.SendMessageBatchAsync(url, entries);

        Assert.Equal(entries.Select(e => e.Id).Order(), sent.Successful.Select(s => s.Id).Order());
        await Assert.ThrowsAsync<TooManyEntriesInBatchRequestException>(() => _sqs.SendMessageBatchAsync(url, [.. entries, new SendMessageBatchRequestEntry("e10", "m10")]));
        await Assert.ThrowsAsync<BatchEntryIdsNotDistinctException>(() => _sqs.SendMessageBatchAsync(url, [new("same", "a"), new("same", "b")]));
        var tooLong = await Assert.ThrowsAsync<AmazonSQSException>(() => _sqs.SendMessageAsync(url, new string('x', SqsContractServer.MaxBody + 1)));
        Assert.Equal("InvalidParameterValue", tooLong.ErrorCode);
        var missing = await Assert.ThrowsAsync<QueueDoesNotExistException>(() => _sqs.SendMessageAsync($"{_server.ServiceUrl}/{SqsContractServer.Account}/missing", "x"));
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue", missing.ErrorCode);
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => _sqs.GetQueueUrlAsync("missing"));
        var received = (await ReceiveAsync(url)).Messages;
        Assert.Equal(10, received.Count);
    }
}
