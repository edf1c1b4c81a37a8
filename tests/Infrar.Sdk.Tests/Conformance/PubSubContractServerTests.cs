using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Infrar.Testing;
using Xunit;

namespace Infrar.Sdk.Tests.Conformance;

/// <summary>
/// The Pub/Sub contract server keeps Pub/Sub's documented rules, so that the gcp queue code is held to them: what the
/// API refuses is refused, and recorded as a violation when a client should never have sent it.
/// </summary>
public sealed class PubSubContractServerTests : IAsyncLifetime
{
    private PubSubContractServer _server = null!;
    private HttpClient _http = null!;

    public Task InitializeAsync()
    {
        _server = new PubSubContractServer(FreePort.Next());
        _http = new HttpClient { BaseAddress = new Uri($"http://{_server.Host}/v1/projects/{PubSubContractServer.Project}/") };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_subscription_counts_deliveries_only_with_a_dead_letter_policy_of_5_to_100_attempts()
    {
        await CreateTopicAsync("jobs");
        await CreateTopicAsync("jobs-dead-letters");

        var tooFew = await _http.PutAsync("subscriptions/jobs", JsonContent.Create(new
        {
            topic = Topic("jobs"),
            deadLetterPolicy = new { deadLetterTopic = Topic("jobs-dead-letters"), maxDeliveryAttempts = 2 },
        }));
        Assert.Equal(HttpStatusCode.BadRequest, tooFew.StatusCode);
        Assert.Contains("maxDeliveryAttempts must be 5 to 100", Assert.Single(_server.Violations), StringComparison.Ordinal);

        (await _http.PutAsync("subscriptions/plain", JsonContent.Create(new { topic = Topic("jobs") }))).EnsureSuccessStatusCode();
        await PublishAsync("jobs", new { data = Convert.ToBase64String("work"u8.ToArray()) });
        var pulled = await PullAsync("plain");
        var message = Assert.Single(pulled["receivedMessages"]!.AsArray())!;
        Assert.Null(message["deliveryAttempt"]);
        Assert.Equal("work"u8.ToArray(), Convert.FromBase64String(message["message"]!["data"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Attribute_values_over_1024_bytes_and_the_deprecated_returnImmediately_are_refused_as_violations()
    {
        await CreateTopicAsync("events");
        (await _http.PutAsync("subscriptions/events", JsonContent.Create(new { topic = Topic("events") }))).EnsureSuccessStatusCode();

        var large = await _http.PostAsJsonAsync("topics/events:publish", new { messages = new[] { new { data = "", attributes = new Dictionary<string, string> { ["big"] = new('x', 1025) } } } });
        var immediate = await _http.PostAsJsonAsync("subscriptions/events:pull", new { maxMessages = 1, returnImmediately = true });

        Assert.Equal(HttpStatusCode.BadRequest, large.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, immediate.StatusCode);
        Assert.Equal(2, _server.Violations.Count);
    }

    [Fact]
    public async Task An_expired_ack_id_acknowledges_nothing_and_each_delivery_counts_its_attempt()
    {
        await CreateTopicAsync("leases");
        await CreateTopicAsync("leases-dead-letters");
        (await _http.PutAsync("subscriptions/leases", JsonContent.Create(new
        {
            topic = Topic("leases"),
            deadLetterPolicy = new { deadLetterTopic = Topic("leases-dead-letters"), maxDeliveryAttempts = 5 },
        }))).EnsureSuccessStatusCode();
        await PublishAsync("leases", new { data = Convert.ToBase64String("x"u8.ToArray()) });

        var first = Assert.Single((await PullAsync("leases"))["receivedMessages"]!.AsArray())!;
        (await _http.PostAsJsonAsync("subscriptions/leases:modifyAckDeadline", new { ackIds = new[] { first["ackId"]!.GetValue<string>() }, ackDeadlineSeconds = 0 })).EnsureSuccessStatusCode();
        var second = Assert.Single((await PullAsync("leases"))["receivedMessages"]!.AsArray())!;
        (await _http.PostAsJsonAsync("subscriptions/leases:acknowledge", new { ackIds = new[] { first["ackId"]!.GetValue<string>() } })).EnsureSuccessStatusCode();
        (await _http.PostAsJsonAsync("subscriptions/leases:modifyAckDeadline", new { ackIds = new[] { second["ackId"]!.GetValue<string>() }, ackDeadlineSeconds = 0 })).EnsureSuccessStatusCode();
        var third = Assert.Single((await PullAsync("leases"))["receivedMessages"]!.AsArray())!;

        Assert.Equal(1, first["deliveryAttempt"]!.GetValue<int>());
        Assert.Equal(2, second["deliveryAttempt"]!.GetValue<int>());
        Assert.Equal(3, third["deliveryAttempt"]!.GetValue<int>());
        Assert.Empty(_server.Violations);
    }

    private static string Topic(string name) => $"projects/{PubSubContractServer.Project}/topics/{name}";

    private async Task CreateTopicAsync(string name) => (await _http.PutAsync($"topics/{name}", JsonContent.Create(new { }))).EnsureSuccessStatusCode();

    private async Task PublishAsync(string topic, object message) =>
        (await _http.PostAsJsonAsync($"topics/{topic}:publish", new { messages = new[] { message } })).EnsureSuccessStatusCode();

    private async Task<JsonObject> PullAsync(string subscription)
    {
        var response = await _http.PostAsJsonAsync($"subscriptions/{subscription}:pull", new { maxMessages = 10 });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }
}
