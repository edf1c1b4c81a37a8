using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Infrar.Sdk.Tests.Conformance;
using Xunit;

namespace Infrar.Sdk.Tests.Queues;

/// <summary>The queue's promises on the local provider: nothing sent is lost, a lease holds, delays hold, the delivery limit dead-letters.</summary>
[Collection(ConformanceCollection.Name)]
public sealed class LocalQueueTests
{
    // Each test its own queue: the tests share the process's one local root.
    private static Queue NewQueue([System.Diagnostics.CodeAnalysis.ConstantExpected] string name, QueueOptions? options = null) => Infrar.Queues.Queue(name, options);

    private static async Task<List<QueueMessage>> ReceiveAsync(Queue queue, int count, TimeSpan within, ReceiveOptions? options = null)
    {
        var received = new List<QueueMessage>();
        using var stop = new CancellationTokenSource(within);
        try
        {
            await foreach (var message in queue.ReceiveAsync(options ?? new ReceiveOptions { WaitTime = TimeSpan.FromSeconds(1) }, stop.Token))
            {
                received.Add(message);
                if (received.Count == count)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        return received;
    }

    [Fact]
    public async Task Every_message_sent_is_received_once_with_its_body_attributes_and_first_delivery()
    {
        var queue = NewQueue("every-message");
        var sent = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            sent.Add(await queue.SendAsync($"job {i}", new SendOptions { Attributes = new Dictionary<string, string> { ["n"] = $"{i}" } }));
        }

        var received = await ReceiveAsync(queue, 25, TimeSpan.FromSeconds(20));

        Assert.Equal(sent.Order(), received.Select(m => m.Id).Order());
        Assert.All(received, m =>
        {
            Assert.Equal($"job {m.Attributes["n"]}", m.BodyAsString());
            Assert.Equal(1, m.DeliveryCount);
            Assert.InRange(m.EnqueuedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow);
        });
        foreach (var message in received)
        {
            await message.CompleteAsync();
        }

        Assert.Empty(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Concurrent_receivers_never_get_the_same_message_within_its_lease()
    {
        var queue = NewQueue("concurrent", new QueueOptions { VisibilityTimeout = TimeSpan.FromMinutes(5) });
        var batch = Enumerable.Range(0, 10).Select(i => OutgoingMessage.FromString($"m{i}")).ToList();
        for (var i = 0; i < 20; i++)
        {
            await queue.SendBatchAsync(batch);
        }

        var seen = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var receivers = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            try
            {
                await foreach (var message in queue.ReceiveAsync(new ReceiveOptions { MaxMessages = 3, WaitTime = TimeSpan.FromMilliseconds(200) }, stop.Token))
                {
                    seen.Add(message.Id);
                    await message.CompleteAsync();
                    if (seen.Count >= 200)
                    {
                        await stop.CancelAsync();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToList();
        await Task.WhenAll(receivers);

        Assert.Equal(200, seen.Count);
        Assert.Equal(200, seen.Distinct().Count());
    }

    [Fact]
    public async Task A_message_not_completed_is_delivered_again_after_its_visibility_timeout_and_the_first_lease_is_lost()
    {
        // Three seconds of lease: the check that nobody else gets it meanwhile must finish inside it on a loaded machine.
        var queue = NewQueue("visibility", new QueueOptions { VisibilityTimeout = TimeSpan.FromSeconds(3) });
        await queue.SendAsync("work");

        var first = Assert.Single(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(5)));
        Assert.Empty(await ReceiveAsync(queue, 1, TimeSpan.FromMilliseconds(500), new ReceiveOptions { WaitTime = TimeSpan.Zero }));
        var second = Assert.Single(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(10)));

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(2, second.DeliveryCount);
        var lost = await Assert.ThrowsAsync<MessageLeaseLostException>(() => first.CompleteAsync());
        Assert.Equal(first.Id, lost.MessageId);
        Assert.Equal("local", lost.Provider);
        await second.CompleteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.CompleteAsync());
    }

    [Fact]
    public async Task An_extended_lease_holds_and_an_abandoned_message_comes_back_after_its_delay()
    {
        var queue = NewQueue("lease-extend", new QueueOptions { VisibilityTimeout = TimeSpan.FromSeconds(3) });
        await queue.SendAsync("long work");
        var message = Assert.Single(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(5)));

        await message.ExtendLeaseAsync(TimeSpan.FromSeconds(4));
        Assert.Empty(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(2)));

        await message.AbandonAsync(TimeSpan.FromSeconds(1));
        var started = DateTime.UtcNow;
        var again = Assert.Single(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(5)));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(900), "the abandon's delay held");
        Assert.Equal(message.Id, again.Id);
        await again.CompleteAsync();
    }

    [Fact]
    public async Task A_delayed_message_is_not_delivered_before_its_delay()
    {
        var queue = NewQueue("delayed");
        var sentAt = DateTime.UtcNow;
        await queue.SendAsync("later", new SendOptions { Delay = TimeSpan.FromSeconds(2) });

        var message = Assert.Single(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(10)));

        Assert.True(DateTime.UtcNow - sentAt >= TimeSpan.FromSeconds(2), "delivered before its delay");
        await message.CompleteAsync();
    }

    [Fact]
    public async Task A_message_delivered_its_limit_of_times_moves_to_the_dead_letter_queue()
    {
        var queue = NewQueue("dead-letter", new QueueOptions { VisibilityTimeout = TimeSpan.FromSeconds(1), MaxDeliveries = 2 });
        var id = await queue.SendAsync("poison");

        for (var delivery = 1; delivery <= 2; delivery++)
        {
            var message = Assert.Single(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(5)));
            Assert.Equal(delivery, message.DeliveryCount);
            await message.AbandonAsync();
        }

        Assert.Empty(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(2)));
        var dead = Assert.Single(await ReceiveAsync(queue.DeadLetters, 1, TimeSpan.FromSeconds(5)));
        Assert.Equal(id, dead.Id);
        Assert.Equal("poison", dead.BodyAsString());
        Assert.Equal(1, dead.DeliveryCount);
        await dead.CompleteAsync();
        Assert.Throws<InvalidOperationException>(() => queue.DeadLetters.DeadLetters);
    }

    [Fact]
    public async Task Json_bodies_round_trip_through_a_serializer_context_and_by_reflection()
    {
        var queue = NewQueue("json");
        await queue.SendJsonAsync(new ThumbnailJob("photos/cat.jpg", 128), JobJson.Default.ThumbnailJob);

        var message = Assert.Single(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(5)));

        Assert.Equal("""{"key":"photos/cat.jpg","width":128}""", message.BodyAsString());
        Assert.Equal(new ThumbnailJob("photos/cat.jpg", 128), message.BodyAsJson(JobJson.Default.ThumbnailJob));
        Assert.Equal(new ThumbnailJob("photos/cat.jpg", 128), message.BodyAsJson<ThumbnailJob>());
        await message.CompleteAsync();
    }

    [Fact]
    public async Task A_body_at_the_limit_is_carried_byte_for_byte_and_one_past_it_is_refused_naming_the_limit()
    {
        var queue = NewQueue("large");
        var body = new byte[256 * 1024];
        Random.Shared.NextBytes(body);
        await queue.SendAsync(body);

        var message = Assert.Single(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(5)));
        Assert.Equal(body, message.Body.ToArray());
        await message.CompleteAsync();

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => queue.SendAsync(new byte[(256 * 1024) + 1]));
        Assert.Contains("256 KiB", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batches_over_ten_and_settings_outside_what_every_provider_accepts_are_refused_before_anything_is_sent()
    {
        var queue = NewQueue("batches");
        var eleven = Enumerable.Range(0, 11).Select(i => OutgoingMessage.FromString($"{i}")).ToList();

        var batch = await Assert.ThrowsAsync<ArgumentException>(() => queue.SendBatchAsync(eleven));
        Assert.Contains("1 to 10 messages", batch.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.SendAsync("x", new SendOptions { Delay = TimeSpan.FromMinutes(16) }));
        await Assert.ThrowsAsync<ArgumentException>(() => queue.SendAsync("x", new SendOptions { Attributes = new Dictionary<string, string> { ["bad name"] = "v" } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Infrar.Queues.Queue("bad", new QueueOptions { VisibilityTimeout = TimeSpan.FromHours(13) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Infrar.Queues.Queue("bad", new QueueOptions { MaxDeliveries = 0 }));

        Assert.Empty(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Cancelling_a_receive_ends_it_with_operation_canceled_and_leases_nothing()
    {
        var queue = NewQueue("cancel");
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var message in queue.ReceiveAsync(cancellationToken: stop.Token))
            {
                Assert.Fail($"received {message.Id} from an empty queue");
            }
        });

        await queue.SendAsync("after");
        Assert.Single(await ReceiveAsync(queue, 1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void The_physical_name_comes_from_the_environment_as_for_buckets()
    {
        Environment.SetEnvironmentVariable("INFRAR_QUEUE_THUMBNAIL_JOBS", "prod-thumbnail-jobs-7f3a");
        try
        {
            var queue = Infrar.Queues.Queue("thumbnail-jobs");
            Assert.Equal("prod-thumbnail-jobs-7f3a", queue.PhysicalName);
            Assert.Equal("prod-thumbnail-jobs-7f3a-dead-letters", queue.DeadLetters.PhysicalName);
        }
        finally
        {
            Environment.SetEnvironmentVariable("INFRAR_QUEUE_THUMBNAIL_JOBS", null);
        }
    }
}

public sealed record ThumbnailJob(string Key, int Width);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ThumbnailJob))]
internal sealed partial class JobJson : JsonSerializerContext;
