using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Infrar.Testing;

namespace Infrar.Sdk.Tests.Conformance;

/// <summary>
/// An in-process Google Cloud Pub/Sub that answers the REST API (v1) as its emulator would, over real HTTP on
/// 127.0.0.1: no Pub/Sub emulator can be had here, and no .NET Pub/Sub library is served, so this stands in for both. A
/// request that departs from the documented API is answered with Pub/Sub's own error and recorded in
/// <see cref="Violations"/>.
/// </summary>
/// <remarks>
/// Documented behaviour it enforces: <c>PUT projects/p/topics/t</c> and <c>PUT projects/p/subscriptions/s</c> (topic,
/// <c>ackDeadlineSeconds</c> 10–600, <c>deadLetterPolicy</c> with <c>maxDeliveryAttempts</c> 5–100 on an existing
/// topic); <c>:publish</c> of 1 to 1,000 messages with base64 <c>data</c>, up to 100 attributes with keys of at most
/// 256 bytes (none starting with <c>goog</c>) and values of at most 1,024 bytes, a message of data or attributes, at
/// most 10 MB a request; <c>:pull</c> with <c>maxMessages</c> above 0, answering at once when messages are there and
/// otherwise holding the request a while; each delivery a new <c>ackId</c> with <c>deliveryAttempt</c> when the
/// subscription has a dead-letter policy, which moves a message delivered <c>maxDeliveryAttempts</c> times to its
/// dead-letter topic; <c>:acknowledge</c> and <c>:modifyAckDeadline</c> (0–600 s) on ack ids, an expired one
/// ignored, as Pub/Sub does without exactly-once delivery; JSON bodies only.
/// </remarks>
public sealed class PubSubContractServer : IAsyncDisposable
{
    public const string Project = "infrar-test";

    // Pub/Sub holds an empty pull a while; this one briefly, as an HttpListener cannot tell that a client gave up on a
    // request, and a message handed to a request nobody reads stays leased until its deadline (as on Pub/Sub).
    private static readonly TimeSpan PullHold = TimeSpan.FromMilliseconds(500);

    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private long _nextId = 1000;

    public PubSubContractServer(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(() => AcceptLoop.RunAsync(_listener, HandleAsync));
    }

    public int Port { get; }

    /// <summary>The value for PUBSUB_EMULATOR_HOST.</summary>
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>Requests that did not match the documented API.</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        int status;
        JsonObject answer;
        try
        {
            (status, answer) = await AnswerAsync(context.Request);
        }
        catch (PubSubError e)
        {
            if (e.Violation)
            {
                Violations.Enqueue($"{context.Request.HttpMethod} {context.Request.Url?.AbsolutePath}: {e.Message}");
            }

            (status, answer) = (e.Status, new JsonObject { ["error"] = new JsonObject { ["code"] = e.Status, ["message"] = e.Message, ["status"] = e.Code } });
        }
        catch (Exception e)
        {
            Violations.Enqueue("server failed: " + e);
            (status, answer) = (500, new JsonObject { ["error"] = new JsonObject { ["code"] = 500, ["message"] = e.Message, ["status"] = "INTERNAL" } });
        }

        try
        {
            var payload = Encoding.UTF8.GetBytes(answer.ToJsonString());
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=UTF-8";

            // One request a connection: the managed HttpListener may drop a kept-alive connection the client's pool
            // then reuses, and a publish sent on it fails with "connection reset" (seen once in CI, 2026-12-01).
            context.Response.KeepAlive = false;
            context.Response.ContentLength64 = payload.Length;
            await context.Response.OutputStream.WriteAsync(payload);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
        }
    }

    private async Task<(int, JsonObject)> AnswerAsync(HttpListenerRequest request)
    {
        var path = request.Url!.AbsolutePath;
        if (!path.StartsWith($"/v1/projects/{Project}/", StringComparison.Ordinal))
        {
            throw Violation(404, "NOT_FOUND", $"No such resource: {path}");
        }

        JsonObject body = [];
        if (request.HasEntityBody)
        {
            if (request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
            {
                throw Violation(400, "INVALID_ARGUMENT", $"Bodies are JSON; this one is {request.ContentType}.");
            }

            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            body = JsonNode.Parse(await reader.ReadToEndAsync()) as JsonObject ?? throw Violation(400, "INVALID_ARGUMENT", "The body is not a JSON object.");
        }

        var resource = path[$"/v1/projects/{Project}/".Length..];
        var (kind, name, verb) = Split(resource);
        return (request.HttpMethod, kind, verb) switch
        {
            ("PUT", "topics", null) => (200, CreateTopic(name)),
            ("PUT", "subscriptions", null) => (200, CreateSubscription(name, body)),
            ("POST", "topics", "publish") => (200, Publish(FindTopic(name), body)),
            ("POST", "subscriptions", "pull") => (200, await PullAsync(FindSubscription(name), body)),
            ("POST", "subscriptions", "acknowledge") => (200, Acknowledge(FindSubscription(name), body)),
            ("POST", "subscriptions", "modifyAckDeadline") => (200, ModifyAckDeadline(FindSubscription(name), body)),
            _ => throw Violation(404, "NOT_FOUND", $"{request.HttpMethod} {path} is no Pub/Sub method."),
        };
    }

    private static (string Kind, string Name, string? Verb) Split(string resource)
    {
        var slash = resource.IndexOf('/');
        if (slash < 0)
        {
            return (resource, "", null);
        }

        var rest = resource[(slash + 1)..];
        var colon = rest.IndexOf(':');
        return colon < 0 ? (resource[..slash], rest, null) : (resource[..slash], rest[..colon], rest[(colon + 1)..]);
    }

    private JsonObject CreateTopic(string name)
    {
        CheckName(name);
        if (!_topics.TryAdd(name, new Topic(name)))
        {
            throw Refuse(409, "ALREADY_EXISTS", "Topic already exists");
        }

        return new JsonObject { ["name"] = $"projects/{Project}/topics/{name}" };
    }

    private JsonObject CreateSubscription(string name, JsonObject body)
    {
        CheckName(name);
        var topic = FindTopic(TopicName(String(body, "topic") ?? throw Violation(400, "INVALID_ARGUMENT", "A subscription names its topic.")));
        var deadline = Int(body, "ackDeadlineSeconds") ?? 10;
        if (deadline is < 10 or > 600)
        {
            throw Violation(400, "INVALID_ARGUMENT", $"ackDeadlineSeconds must be 10 to 600; it is {deadline}.");
        }

        Topic? deadLetters = null;
        var attempts = 0;
        if (body["deadLetterPolicy"] is JsonObject policy)
        {
            deadLetters = FindTopic(TopicName(String(policy, "deadLetterTopic") ?? throw Violation(400, "INVALID_ARGUMENT", "A dead-letter policy names its topic.")));
            attempts = Int(policy, "maxDeliveryAttempts") ?? 5;
            if (attempts is < 5 or > 100)
            {
                throw Violation(400, "INVALID_ARGUMENT", $"maxDeliveryAttempts must be 5 to 100; it is {attempts}.");
            }
        }

        var subscription = new Subscription(name, deadline, deadLetters, attempts);
        if (!_subscriptions.TryAdd(name, subscription))
        {
            throw Refuse(409, "ALREADY_EXISTS", "Subscription already exists");
        }

        topic.Subscriptions.Add(subscription);
        return new JsonObject { ["name"] = $"projects/{Project}/subscriptions/{name}", ["topic"] = $"projects/{Project}/topics/{topic.Name}" };
    }

    private JsonObject Publish(Topic topic, JsonObject body)
    {
        var messages = body["messages"] as JsonArray ?? throw Violation(400, "INVALID_ARGUMENT", "A publish request holds messages.");
        if (messages.Count is 0 or > 1000)
        {
            throw Violation(400, "INVALID_ARGUMENT", $"A publish request holds 1 to 1,000 messages; this one {messages.Count}.");
        }

        var total = 0;
        var ids = new JsonArray();
        foreach (var item in messages)
        {
            var message = item as JsonObject ?? throw Violation(400, "INVALID_ARGUMENT", "A message is an object.");
            byte[] data;
            try
            {
                data = Convert.FromBase64String(String(message, "data") ?? "");
            }
            catch (FormatException)
            {
                throw Violation(400, "INVALID_ARGUMENT", "A message's data is base64.");
            }

            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in message["attributes"] as JsonObject ?? [])
            {
                if (value?.GetValueKind() != System.Text.Json.JsonValueKind.String)
                {
                    throw Violation(400, "INVALID_ARGUMENT", $"Attribute {key} is not a string.");
                }

                attributes[key] = value.GetValue<string>();
            }

            if (attributes.Count > 100 || attributes.Any(a => Encoding.UTF8.GetByteCount(a.Key) > 256 || a.Key.StartsWith("goog", StringComparison.Ordinal) || Encoding.UTF8.GetByteCount(a.Value) > 1024))
            {
                throw Violation(400, "INVALID_ARGUMENT", "At most 100 attributes, keys of 1 to 256 bytes not starting with goog, values of at most 1,024 bytes.");
            }

            if (data.Length == 0 && attributes.Count == 0)
            {
                throw Violation(400, "INVALID_ARGUMENT", "A message has data or attributes.");
            }

            total += data.Length + attributes.Sum(a => Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value));
            var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
            ids.Add(id);
            topic.Publish(new Published(id, data, attributes, DateTimeOffset.UtcNow));
        }

        if (total > 10_000_000)
        {
            throw Violation(400, "INVALID_ARGUMENT", "A publish request is at most 10 MB.");
        }

        return new JsonObject { ["messageIds"] = ids };
    }

    private static async Task<JsonObject> PullAsync(Subscription subscription, JsonObject body)
    {
        if (body.ContainsKey("returnImmediately"))
        {
            throw Violation(400, "INVALID_ARGUMENT", "returnImmediately is deprecated; Pub/Sub asks clients not to set it.");
        }

        var max = Int(body, "maxMessages") ?? throw Violation(400, "INVALID_ARGUMENT", "maxMessages is required.");
        if (max < 1)
        {
            throw Violation(400, "INVALID_ARGUMENT", "maxMessages must be positive.");
        }

        var until = DateTime.UtcNow + PullHold;
        List<(Delivery Delivery, Published Message)> pulled;
        while ((pulled = subscription.Pull(max)).Count == 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        var received = new JsonArray();
        foreach (var (delivery, message) in pulled)
        {
            var item = new JsonObject
            {
                ["ackId"] = delivery.AckId,
                ["message"] = new JsonObject
                {
                    ["data"] = Convert.ToBase64String(message.Data),
                    ["attributes"] = new JsonObject(message.Attributes.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))),
                    ["messageId"] = message.Id,
                    ["publishTime"] = message.PublishTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                },
            };
            if (subscription.DeadLetters is not null)
            {
                item["deliveryAttempt"] = delivery.Attempt;
            }

            received.Add(item);
        }

        return received.Count == 0 ? [] : new JsonObject { ["receivedMessages"] = received };
    }

    private static JsonObject Acknowledge(Subscription subscription, JsonObject body)
    {
        subscription.Acknowledge(AckIds(body));
        return [];
    }

    private static JsonObject ModifyAckDeadline(Subscription subscription, JsonObject body)
    {
        var seconds = Int(body, "ackDeadlineSeconds") ?? throw Violation(400, "INVALID_ARGUMENT", "ackDeadlineSeconds is required.");
        if (seconds is < 0 or > 600)
        {
            throw Violation(400, "INVALID_ARGUMENT", $"ackDeadlineSeconds must be 0 to 600; it is {seconds}.");
        }

        subscription.Modify(AckIds(body), seconds);
        return [];
    }

    private static List<string> AckIds(JsonObject body)
    {
        var ids = (body["ackIds"] as JsonArray)?.Select(i => i?.GetValue<string>() ?? "").ToList() ?? [];
        return ids.Count == 0 ? throw Violation(400, "INVALID_ARGUMENT", "ackIds is required.") : ids;
    }

    private static string TopicName(string full) =>
        full.StartsWith($"projects/{Project}/topics/", StringComparison.Ordinal)
            ? full[$"projects/{Project}/topics/".Length..]
            : throw Violation(400, "INVALID_ARGUMENT", $"A topic is named projects/{Project}/topics/<name>; got {full}.");

    private Topic FindTopic(string name) =>
        _topics.TryGetValue(name, out var topic) ? topic : throw Refuse(404, "NOT_FOUND", $"Resource not found (resource={name}).");

    private Subscription FindSubscription(string name) =>
        _subscriptions.TryGetValue(name, out var subscription) ? subscription : throw Refuse(404, "NOT_FOUND", $"Resource not found (resource={name}).");

    private static void CheckName(string name)
    {
        if (name.Length is < 3 or > 255 || !char.IsAsciiLetter(name[0]) || name.StartsWith("goog", StringComparison.Ordinal)
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or '+' or '%'))
        {
            throw Violation(400, "INVALID_ARGUMENT", $"Invalid resource name given (name={name}).");
        }
    }

    private static string? String(JsonObject body, string name) =>
        body[name] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : null;

    private static int? Int(JsonObject body, string name) => body[name] switch
    {
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.Number => value.GetValue<int>(),
        JsonValue value when value.GetValueKind() == System.Text.Json.JsonValueKind.String && int.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, out var parsed) => parsed,
        null => null,
        _ => throw Violation(400, "INVALID_ARGUMENT", $"{name} is a number."),
    };

    private static PubSubError Violation(int status, string code, string message) => new(status, code, message, violation: true);

    private static PubSubError Refuse(int status, string code, string message) => new(status, code, message, violation: false);

    private sealed class PubSubError(int status, string code, string message, bool violation) : Exception(message)
    {
        public int Status { get; } = status;

        public string Code { get; } = code;

        public bool Violation { get; } = violation;
    }

    private sealed record Published(string Id, byte[] Data, Dictionary<string, string> Attributes, DateTimeOffset PublishTime);

    private sealed record Delivery(string AckId, int Attempt);

    private sealed class Topic(string name)
    {
        public string Name { get; } = name;

        public ConcurrentBag<Subscription> Subscriptions { get; } = [];

        public void Publish(Published message)
        {
            foreach (var subscription in Subscriptions)
            {
                subscription.Add(message);
            }
        }
    }

    private sealed class Subscription(string name, int ackDeadlineSeconds, Topic? deadLetters, int maxDeliveryAttempts)
    {
        private readonly Lock _lock = new();
        private readonly List<Pending> _pending = [];

        public string Name { get; } = name;

        public Topic? DeadLetters { get; } = deadLetters;

        public void Add(Published message)
        {
            lock (_lock)
            {
                _pending.Add(new Pending(message));
            }
        }

        public List<(Delivery, Published)> Pull(int max)
        {
            var now = DateTime.UtcNow;
            var pulled = new List<(Delivery, Published)>();
            lock (_lock)
            {
                foreach (var pending in _pending.Where(p => p.VisibleAt <= now).ToList())
                {
                    if (pulled.Count == max)
                    {
                        break;
                    }

                    if (DeadLetters is not null && pending.Attempts >= maxDeliveryAttempts)
                    {
                        _pending.Remove(pending);
                        DeadLetters.Publish(pending.Message);
                        continue;
                    }

                    pending.Attempts++;
                    pending.AckId = $"{Name}:{Guid.NewGuid():N}";
                    pending.VisibleAt = now.AddSeconds(ackDeadlineSeconds);
                    pulled.Add((new Delivery(pending.AckId, pending.Attempts), pending.Message));
                }
            }

            return pulled;
        }

        public void Acknowledge(IEnumerable<string> ackIds)
        {
            lock (_lock)
            {
                // An expired ack id is ignored, as Pub/Sub does without exactly-once delivery.
                _pending.RemoveAll(p => ackIds.Contains(p.AckId) && p.VisibleAt > DateTime.UtcNow);
            }
        }

        public void Modify(IEnumerable<string> ackIds, int seconds)
        {
            lock (_lock)
            {
                foreach (var pending in _pending.Where(p => ackIds.Contains(p.AckId) && p.VisibleAt > DateTime.UtcNow))
                {
                    pending.VisibleAt = DateTime.UtcNow.AddSeconds(seconds);
                }
            }
        }

        private sealed class Pending(Published message)
        {
            public Published Message { get; } = message;

            public int Attempts { get; set; }

            public string AckId { get; set; } = "";

            public DateTime VisibleAt { get; set; } = DateTime.MinValue;
        }
    }
}
