namespace Infrar.Catalog.Gcp;

/// <summary>
/// Pub/Sub's REST API (v1) over HttpClient, and the helpers its queue operations share: no .NET Pub/Sub library is
/// available to Infrar, so this is the one provider not on its vendor's library. The generator writes these members
/// into a file-local class of this name beside the interceptors, as they are here.
/// </summary>
/// <remarks>
/// A queue is a topic and a pull subscription of one name, and its dead-letter queue another pair named with the
/// dead-letter suffix. Pub/Sub has no delivery delay: a delayed message carries <c>infrar-deliver-after</c>, is held back
/// by its lease until then, and is published again without it when due, so the deliveries spent holding it back are not
/// counted (it keeps its id and enqueue time in <c>infrar-id</c> and <c>infrar-enqueued</c>). Pub/Sub counts deliveries
/// only for a subscription with a dead-letter policy, whose limit is at least 5: the generated subscription has one, and
/// the receiver moves a message past a smaller limit itself.
/// </remarks>
internal static class GooglePubSubQueues
{
    /// <summary>Pub/Sub's longest lease (ack deadline).</summary>
    public const int MaxLeaseSeconds = 600;

    private const string DeliverAfter = "infrar-deliver-after";
    private const string OriginalId = "infrar-id";
    private const string Enqueued = "infrar-enqueued";

    private static readonly global::System.Lazy<global::System.Net.Http.HttpClient> LazyHttp = new(CreateHttp);

    private static readonly global::System.Lazy<global::System.Threading.Tasks.Task<global::Google.Apis.Auth.OAuth2.ITokenAccess?>> LazyCredential = new(CreateCredentialAsync);

    /// <summary>The emulator's host from PUBSUB_EMULATOR_HOST (plain HTTP, no credentials, as Google's libraries do), or null.</summary>
    private static readonly string? Emulator = global::System.Environment.GetEnvironmentVariable("PUBSUB_EMULATOR_HOST") is { Length: > 0 } host ? host : null;

    private static global::System.Net.Http.HttpClient CreateHttp() =>
        new(global::Infrar.CloudClients.CreateHttpHandler() ?? new global::System.Net.Http.SocketsHttpHandler(), disposeHandler: false)
        {
            BaseAddress = new global::System.Uri(Emulator is null ? "https://pubsub.googleapis.com/" : $"http://{Emulator}/"),
            Timeout = global::System.Threading.Timeout.InfiniteTimeSpan,
        };

    private static async global::System.Threading.Tasks.Task<global::Google.Apis.Auth.OAuth2.ITokenAccess?> CreateCredentialAsync() =>
        Emulator is not null
            ? null
            : (await global::Google.Apis.Auth.OAuth2.GoogleCredential.GetApplicationDefaultAsync().ConfigureAwait(false)).CreateScoped("https://www.googleapis.com/auth/pubsub");

    /// <summary>The project, from GOOGLE_CLOUD_PROJECT, which the infrastructure sets.</summary>
    private static string Project() =>
        global::System.Environment.GetEnvironmentVariable("GOOGLE_CLOUD_PROJECT") is { Length: > 0 } project
            ? project
            : throw new global::System.InvalidOperationException("Pub/Sub is not configured: set GOOGLE_CLOUD_PROJECT to the project holding the app's topics.");

    private static string Topic(global::Infrar.Queue queue) => $"v1/projects/{Project()}/topics/{queue.PhysicalName}";

    private static string Subscription(global::Infrar.Queue queue) => $"v1/projects/{Project()}/subscriptions/{queue.PhysicalName}";

    /// <summary>One message as Pub/Sub publishes it: base64 data and string attributes.</summary>
    public static global::System.Text.Json.Nodes.JsonObject NewMessage(global::System.ReadOnlyMemory<byte> body, global::Infrar.SendOptions? options, string parameterName)
    {
        var attributes = new global::System.Text.Json.Nodes.JsonObject();
        foreach (var pair in options?.Attributes ?? new global::System.Collections.Generic.Dictionary<string, string>())
        {
            if (global::System.Text.Encoding.UTF8.GetByteCount(pair.Value) > 1024)
            {
                throw new global::System.ArgumentException($"Pub/Sub carries attribute values of at most 1,024 bytes; '{pair.Key}' has {(global::System.Text.Encoding.UTF8.GetByteCount(pair.Value))}.", parameterName);
            }

            attributes[pair.Key] = pair.Value;
        }

        if (options is { Delay.Ticks: > 0 })
        {
            var due = global::System.DateTimeOffset.UtcNow + options.Delay;
            attributes[DeliverAfter] = due.ToUnixTimeMilliseconds().ToString(global::System.Globalization.CultureInfo.InvariantCulture);
        }

        return new global::System.Text.Json.Nodes.JsonObject
        {
            ["data"] = global::System.Convert.ToBase64String(body.Span),
            ["attributes"] = attributes,
        };
    }

    /// <summary>Publishes messages to the queue's topic; their ids, in order.</summary>
    public static async global::System.Threading.Tasks.Task<string[]> PublishAsync(
        global::Infrar.Queue queue, global::System.Collections.Generic.IEnumerable<global::System.Text.Json.Nodes.JsonObject> messages, global::System.Threading.CancellationToken cancellationToken)
    {
        var request = new global::System.Text.Json.Nodes.JsonObject { ["messages"] = new global::System.Text.Json.Nodes.JsonArray([.. messages]) };
        var answer = await PostAsync(Topic(queue) + ":publish", request, cancellationToken).ConfigureAwait(false);
        var ids = answer["messageIds"]?.AsArray() ?? [];
        var result = new string[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            result[i] = ids[i]!.GetValue<string>();
        }

        return result;
    }

    /// <summary>
    /// One receive: a pull, as long as Pub/Sub holds it; delayed messages held back or made due, messages past the
    /// delivery limit moved to the dead-letter queue, and the rest leased for the queue's visibility timeout; errors mapped.
    /// </summary>
    public static async global::System.Threading.Tasks.Task<global::System.Collections.Generic.List<global::Infrar.QueueMessage>> ReceiveOnceAsync(
        global::Infrar.Queue queue, global::Infrar.ReceiveOptions options, global::System.Threading.CancellationToken cancellationToken)
    {
        var lease = (int)global::System.Math.Ceiling(queue.Options.VisibilityTimeout.TotalSeconds);
        if (lease > MaxLeaseSeconds)
        {
            throw new global::System.ArgumentOutOfRangeException(
                nameof(queue), queue.Options.VisibilityTimeout, $"Pub/Sub leases a message for at most 10 minutes; {queue} is declared with a longer visibility timeout.");
        }

        var received = new global::System.Collections.Generic.List<global::Infrar.QueueMessage>();
        try
        {
            // Pub/Sub's pull takes no wait time: it is held until messages come or Pub/Sub's own deadline, and is not
            // abandoned before (messages handed to an abandoned pull would stay leased to nobody until their lease ends).
            var answer = await PostAsync(Subscription(queue) + ":pull", new global::System.Text.Json.Nodes.JsonObject { ["maxMessages"] = options.MaxMessages }, cancellationToken).ConfigureAwait(false);

            var leased = new global::System.Collections.Generic.List<string>();
            foreach (var node in answer["receivedMessages"]?.AsArray() ?? [])
            {
                var ackId = node!["ackId"]!.GetValue<string>();
                var message = node["message"]!.AsObject();
                var attributes = message["attributes"] as global::System.Text.Json.Nodes.JsonObject ?? [];
                var attempt = node["deliveryAttempt"]?.GetValue<int>() ?? 1;
                if (attributes[DeliverAfter]?.GetValue<string>() is { } dueText)
                {
                    await HoldOrReleaseAsync(queue, ackId, message, attributes, long.Parse(dueText, global::System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (!queue.IsDeadLetterQueue && attempt > queue.Options.MaxDeliveries)
                {
                    await PublishAsync(queue.DeadLetters, [Copy(message, attributes)], cancellationToken).ConfigureAwait(false);
                    await PostAsync(Subscription(queue) + ":acknowledge", AckIds([ackId]), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                leased.Add(ackId);
                received.Add(new PubSubMessage(queue, ackId, message, attributes, attempt));
            }

            if (leased.Count > 0)
            {
                var modify = AckIds(leased);
                modify["ackDeadlineSeconds"] = lease;
                await PostAsync(Subscription(queue) + ":modifyAckDeadline", modify, cancellationToken).ConfigureAwait(false);
            }

            return received;
        }
        catch (PubSubException e)
        {
            throw Error(e, queue);
        }
    }

    /// <summary>
    /// A delayed message: before it is due, its lease holds it back until then (10 minutes at most at a time); when due, it
    /// is published again without the delay and this delivery acknowledged, so it starts its deliveries at one.
    /// </summary>
    private static async global::System.Threading.Tasks.Task HoldOrReleaseAsync(
        global::Infrar.Queue queue, string ackId, global::System.Text.Json.Nodes.JsonObject message, global::System.Text.Json.Nodes.JsonObject attributes, long due, global::System.Threading.CancellationToken cancellationToken)
    {
        var remaining = global::System.DateTimeOffset.FromUnixTimeMilliseconds(due) - global::System.DateTimeOffset.UtcNow;
        if (remaining > global::System.TimeSpan.Zero)
        {
            var hold = AckIds([ackId]);
            hold["ackDeadlineSeconds"] = (int)global::System.Math.Min(MaxLeaseSeconds, global::System.Math.Ceiling(remaining.TotalSeconds));
            await PostAsync(Subscription(queue) + ":modifyAckDeadline", hold, cancellationToken).ConfigureAwait(false);
            return;
        }

        await PublishAsync(queue, [Copy(message, attributes)], cancellationToken).ConfigureAwait(false);
        await PostAsync(Subscription(queue) + ":acknowledge", AckIds([ackId]), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The message to publish again: its data and attributes, no delay, and its first id and enqueue time.</summary>
    private static global::System.Text.Json.Nodes.JsonObject Copy(global::System.Text.Json.Nodes.JsonObject message, global::System.Text.Json.Nodes.JsonObject attributes)
    {
        var copy = new global::System.Text.Json.Nodes.JsonObject();
        foreach (var pair in attributes)
        {
            if (pair.Key != DeliverAfter)
            {
                copy[pair.Key] = pair.Value?.GetValue<string>();
            }
        }

        copy[OriginalId] = attributes[OriginalId]?.GetValue<string>() ?? message["messageId"]!.GetValue<string>();
        copy[Enqueued] = attributes[Enqueued]?.GetValue<string>()
            ?? global::System.DateTimeOffset.Parse(message["publishTime"]!.GetValue<string>(), global::System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds().ToString(global::System.Globalization.CultureInfo.InvariantCulture);
        return new global::System.Text.Json.Nodes.JsonObject { ["data"] = message["data"]?.GetValue<string>() ?? "", ["attributes"] = copy };
    }

    private static global::System.Text.Json.Nodes.JsonObject AckIds(global::System.Collections.Generic.IEnumerable<string> ackIds)
    {
        var ids = new global::System.Text.Json.Nodes.JsonArray();
        foreach (var id in ackIds)
        {
            ids.Add(id);
        }

        return new global::System.Text.Json.Nodes.JsonObject { ["ackIds"] = ids };
    }

    /// <summary>Posts a JSON request with the app's credentials; Pub/Sub's error answer becomes a <see cref="PubSubException"/>.</summary>
    private static async global::System.Threading.Tasks.Task<global::System.Text.Json.Nodes.JsonObject> PostAsync(
        string path, global::System.Text.Json.Nodes.JsonObject body, global::System.Threading.CancellationToken cancellationToken)
    {
        using var request = new global::System.Net.Http.HttpRequestMessage(global::System.Net.Http.HttpMethod.Post, path)
        {
            Content = new global::System.Net.Http.StringContent(body.ToJsonString(), global::System.Text.Encoding.UTF8, "application/json"),
        };
        if (await LazyCredential.Value.ConfigureAwait(false) is { } credential)
        {
            var token = await credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = new global::System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await LazyHttp.Value.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var answer = text.Length == 0 ? null : global::System.Text.Json.Nodes.JsonNode.Parse(text) as global::System.Text.Json.Nodes.JsonObject;
        if (!response.IsSuccessStatusCode)
        {
            var error = answer?["error"];
            throw new PubSubException(
                (int)response.StatusCode,
                error?["status"]?.GetValue<string>() ?? response.StatusCode.ToString(),
                error?["message"]?.GetValue<string>() ?? text);
        }

        return answer ?? [];
    }

    /// <summary>A message pulled from a subscription: its ack id acknowledges it or changes its lease.</summary>
    private sealed class PubSubMessage : global::Infrar.QueueMessage
    {
        private readonly global::Infrar.Queue _queue;
        private readonly string _ackId;

        public PubSubMessage(global::Infrar.Queue queue, string ackId, global::System.Text.Json.Nodes.JsonObject message, global::System.Text.Json.Nodes.JsonObject attributes, int attempt)
            : base(
                attributes[OriginalId]?.GetValue<string>() ?? message["messageId"]!.GetValue<string>(),
                global::System.Convert.FromBase64String(message["data"]?.GetValue<string>() ?? ""),
                attempt,
                attributes[Enqueued]?.GetValue<string>() is { } enqueued
                    ? global::System.DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(enqueued, global::System.Globalization.CultureInfo.InvariantCulture))
                    : global::System.DateTimeOffset.Parse(message["publishTime"]!.GetValue<string>(), global::System.Globalization.CultureInfo.InvariantCulture),
                UserAttributes(attributes))
        {
            _queue = queue;
            _ackId = ackId;
        }

        // Pub/Sub ignores an expired ack id without exactly-once delivery: a lost lease cannot be told here.
        public override async global::System.Threading.Tasks.Task CompleteAsync(global::System.Threading.CancellationToken cancellationToken = default)
        {
            try
            {
                await PostAsync(Subscription(_queue) + ":acknowledge", AckIds([_ackId]), cancellationToken).ConfigureAwait(false);
            }
            catch (PubSubException e)
            {
                throw Error(e, _queue, Id);
            }
        }

        public override global::System.Threading.Tasks.Task AbandonAsync(global::System.TimeSpan delay = default, global::System.Threading.CancellationToken cancellationToken = default)
        {
            global::Infrar.Internal.QueueLimits.ValidateLease(delay, nameof(delay), allowZero: true);
            return ModifyAsync(delay, nameof(delay), cancellationToken);
        }

        public override global::System.Threading.Tasks.Task ExtendLeaseAsync(global::System.TimeSpan duration, global::System.Threading.CancellationToken cancellationToken = default)
        {
            global::Infrar.Internal.QueueLimits.ValidateLease(duration, nameof(duration), allowZero: false);
            return ModifyAsync(duration, nameof(duration), cancellationToken);
        }

        private async global::System.Threading.Tasks.Task ModifyAsync(global::System.TimeSpan lease, string parameterName, global::System.Threading.CancellationToken cancellationToken)
        {
            if (lease > global::System.TimeSpan.FromSeconds(MaxLeaseSeconds))
            {
                throw new global::System.ArgumentOutOfRangeException(parameterName, lease, "Pub/Sub leases a message for at most 10 minutes at a time.");
            }

            var modify = AckIds([_ackId]);
            modify["ackDeadlineSeconds"] = (int)global::System.Math.Ceiling(lease.TotalSeconds);
            try
            {
                await PostAsync(Subscription(_queue) + ":modifyAckDeadline", modify, cancellationToken).ConfigureAwait(false);
            }
            catch (PubSubException e)
            {
                throw Error(e, _queue, Id);
            }
        }

        private static global::System.Collections.Generic.IReadOnlyDictionary<string, string> UserAttributes(global::System.Text.Json.Nodes.JsonObject attributes)
        {
            var user = new global::System.Collections.Generic.Dictionary<string, string>(global::System.StringComparer.Ordinal);
            foreach (var pair in attributes)
            {
                if (pair.Key is not (DeliverAfter or OriginalId or Enqueued) && pair.Value is not null)
                {
                    user[pair.Key] = pair.Value.GetValue<string>();
                }
            }

            return user;
        }
    }

    /// <summary>Pub/Sub's answer to a request it refused: the HTTP status and its canonical code (NOT_FOUND…).</summary>
    public sealed class PubSubException(int status, string code, string message) : global::System.Exception(message)
    {
        public int Status { get; } = status;

        public string Code { get; } = code;
    }

    /// <summary>Maps Pub/Sub's errors onto Infrar's queue failures, keeping its canonical code.</summary>
    public static global::Infrar.QueueException Error(GooglePubSubQueues.PubSubException e, global::Infrar.Queue queue, string? messageId = null) =>
        new($"Pub/Sub refused the request on {queue}: {e.Message}", "gcp", queue.PhysicalName, messageId, e.Code, e);
}
