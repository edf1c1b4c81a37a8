using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Infrar.Testing;

namespace Infrar.Sdk.Tests.Conformance;

/// <summary>
/// An in-process Amazon SQS that answers the AWS JSON 1.0 protocol AWSSDK.SQS speaks (<c>X-Amz-Target: AmazonSQS.*</c>),
/// over real HTTP on 127.0.0.1. No SQS emulator runs here (fauxqs needs Node 22.5), so this stands in: a request that
/// departs from the documented API is answered with SQS's own error and recorded in <see cref="Violations"/>.
/// </summary>
/// <remarks>
/// Documented behaviour it enforces: SigV4-signed requests; queue URLs <c>http://host/&lt;account&gt;/&lt;name&gt;</c>;
/// bodies of 1 byte to 256 KiB (a batch's total too); 1 to 10 batch entries with distinct ids; up to 10 message
/// attributes; delays up to 900 s; <c>MaxNumberOfMessages</c> 1–10 and <c>WaitTimeSeconds</c> 0–20 (long polling);
/// visibility timeouts 0–43,200 s per queue, per receive and per <c>ChangeMessageVisibility</c>; each receive a new
/// receipt handle, an old one refused by <c>ChangeMessageVisibility</c> (<c>MessageNotInflight</c>) and accepted by
/// <c>DeleteMessage</c> without deleting (as SQS documents for standard queues); a <c>RedrivePolicy</c> that moves a
/// message received <c>maxReceiveCount</c> times to its dead-letter queue on the next receive; the MD5 digests of the
/// body and of the message attributes, computed as SQS documents them, which the SDK checks.
/// </remarks>
public sealed class SqsContractServer : IAsyncDisposable
{
    public const string Account = "000000000000";
    public const string Region = "us-east-1";
    public const int MaxBody = 256 * 1024;

    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, SqsQueue> _queues = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private int _corruptDigest;

    public SqsContractServer(int port)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(() => AcceptLoop.RunAsync(_listener, HandleAsync));
    }

    public int Port { get; }

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Requests that did not match the documented API.</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>Answers the next send with a wrong MD5 of the body, as a message damaged on the way would look.</summary>
    public void CorruptNextDigest() => Interlocked.Exchange(ref _corruptDigest, 1);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        int status;
        JsonObject answer;
        try
        {
            (status, answer) = await AnswerAsync(context.Request);
        }
        catch (SqsError e)
        {
            (status, answer) = (e.Status, new JsonObject { ["__type"] = "com.amazonaws.sqs#" + e.Code, ["message"] = e.Message });
            response.Headers["x-amzn-query-error"] = $"{QueryCode(e.Code)};Sender";
        }
        catch (Exception e)
        {
            Violations.Enqueue("server failed: " + e);
            (status, answer) = (500, new JsonObject { ["__type"] = "com.amazonaws.sqs#InternalError", ["message"] = e.Message });
        }

        try
        {
            var payload = Encoding.UTF8.GetBytes(answer.ToJsonString());
            response.StatusCode = status;
            response.ContentType = "application/x-amz-json-1.0";
            response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
            response.ContentLength64 = payload.Length;
            await response.OutputStream.WriteAsync(payload);
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
        }
    }

    /// <summary>The error code of SQS's older query protocol, which the library reports as ErrorCode: SQS's own errors carry its prefix.</summary>
    private static string QueryCode(string code) => code switch
    {
        "QueueDoesNotExist" => "AWS.SimpleQueueService.NonExistentQueue",
        "TooManyEntriesInBatchRequest" or "BatchEntryIdsNotDistinct" or "EmptyBatchRequest" or "BatchRequestTooLong" or "MessageNotInflight" => "AWS.SimpleQueueService." + code,
        _ => code,
    };

    private async Task<(int Status, JsonObject Answer)> AnswerAsync(HttpListenerRequest request)
    {
        var target = request.Headers["X-Amz-Target"];
        if (request.HttpMethod != "POST" || target is null || !target.StartsWith("AmazonSQS.", StringComparison.Ordinal) || request.ContentType?.StartsWith("application/x-amz-json-1.0", StringComparison.Ordinal) != true)
        {
            throw Violation("InvalidAction", $"Not an SQS JSON request: {request.HttpMethod} {target} {request.ContentType}");
        }

        if (request.Headers["Authorization"]?.StartsWith("AWS4-HMAC-SHA256 Credential=", StringComparison.Ordinal) != true)
        {
            throw Violation("MissingAuthenticationToken", "The request is not signed with Signature Version 4.", 403);
        }

        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var body = JsonNode.Parse(await reader.ReadToEndAsync()) as JsonObject ?? throw Violation("SerializationException", "The body is not a JSON object.");
        var action = target["AmazonSQS.".Length..];
        return action switch
        {
            "CreateQueue" => (200, CreateQueue(body)),
            "GetQueueUrl" => (200, new JsonObject { ["QueueUrl"] = Find(String(body, "QueueName", required: true)!).Url }),
            "SendMessage" => (200, Sent(Find(QueueName(body)).Send(ReadMessage(body)))),
            "SendMessageBatch" => (200, SendBatch(body)),
            "ReceiveMessage" => (200, await ReceiveAsync(body)),
            "DeleteMessage" => (200, Delete(body)),
            "ChangeMessageVisibility" => (200, ChangeVisibility(body)),
            _ => throw Violation("InvalidAction", $"The action {action} is not valid for this endpoint."),
        };
    }

    private JsonObject CreateQueue(JsonObject body)
    {
        var name = String(body, "QueueName", required: true)!;
        if (name.Length > 80 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw Refuse("InvalidParameterValue", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
        }

        var attributes = body["Attributes"] as JsonObject ?? [];
        var queue = _queues.GetOrAdd(name, _ => new SqsQueue($"{ServiceUrl}/{Account}/{name}"));
        queue.VisibilityTimeout = Seconds(attributes, "VisibilityTimeout", 0, 43_200) ?? queue.VisibilityTimeout;
        queue.Delay = Seconds(attributes, "DelaySeconds", 0, 900) ?? queue.Delay;
        queue.Retention = Seconds(attributes, "MessageRetentionPeriod", 60, 1_209_600) ?? queue.Retention;
        if (String(attributes, "RedrivePolicy") is { } redrive)
        {
            var policy = JsonNode.Parse(redrive)!;
            var arn = policy["deadLetterTargetArn"]!.GetValue<string>();
            var maxReceiveCount = int.Parse(policy["maxReceiveCount"]!.ToString(), CultureInfo.InvariantCulture);
            if (maxReceiveCount is < 1 or > 1000 || !arn.StartsWith($"arn:aws:sqs:{Region}:{Account}:", StringComparison.Ordinal))
            {
                throw Refuse("InvalidParameterValue", "Value for parameter RedrivePolicy is invalid.");
            }

            queue.DeadLetterQueue = Find(arn[(arn.LastIndexOf(':') + 1)..]);
            queue.MaxReceiveCount = maxReceiveCount;
        }

        return new JsonObject { ["QueueUrl"] = queue.Url };
    }

    private JsonObject SendBatch(JsonObject body)
    {
        var queue = Find(QueueName(body));
        var entries = body["Entries"] as JsonArray ?? throw Refuse("MissingParameter", "The request must contain the parameter Entries.");
        if (entries.Count == 0)
        {
            throw Refuse("EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.");
        }

        if (entries.Count > 10)
        {
            throw Refuse("TooManyEntriesInBatchRequest", $"Maximum number of entries per request are 10. You have sent {entries.Count}.");
        }

        var ids = entries.Select(e => e!["Id"]?.GetValue<string>() ?? throw Refuse("MissingParameter", "An entry has no Id.")).ToList();
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
        {
            throw Refuse("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
        }

        var messages = entries.Select(e => ReadMessage((JsonObject)e!)).ToList();
        if (messages.Sum(m => Encoding.UTF8.GetByteCount(m.Body)) > MaxBody)
        {
            throw Refuse("BatchRequestTooLong", "Batch requests cannot be longer than 262144 bytes.");
        }

        var successful = new JsonArray();
        for (var i = 0; i < messages.Count; i++)
        {
            var sent = Sent(queue.Send(messages[i]));
            sent["Id"] = ids[i];
            successful.Add(sent);
        }

        return new JsonObject { ["Successful"] = successful, ["Failed"] = new JsonArray() };
    }

    private async Task<JsonObject> ReceiveAsync(JsonObject body)
    {
        var queue = Find(QueueName(body));
        var max = Int(body, "MaxNumberOfMessages", 1, 10) ?? 1;
        var wait = Int(body, "WaitTimeSeconds", 0, 20) ?? 0;
        var visibility = Int(body, "VisibilityTimeout", 0, 43_200) ?? queue.VisibilityTimeout;
        var deadline = DateTime.UtcNow.AddSeconds(wait);
        List<SqsMessage> received;
        while ((received = queue.Receive(max, visibility)).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var names = (body["MessageAttributeNames"] as JsonArray)?.Select(n => n!.GetValue<string>()).ToList() ?? [];
        var messages = new JsonArray();
        foreach (var message in received)
        {
            var item = new JsonObject
            {
                ["MessageId"] = message.Id,
                ["ReceiptHandle"] = message.ReceiptHandle,
                ["MD5OfBody"] = Md5(Encoding.UTF8.GetBytes(message.Body)),
                ["Body"] = message.Body,
                ["Attributes"] = new JsonObject
                {
                    ["ApproximateReceiveCount"] = message.ReceiveCount.ToString(CultureInfo.InvariantCulture),
                    ["SentTimestamp"] = message.SentAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                },
            };
            var chosen = message.Attributes.Where(a => names.Contains("All") || names.Contains(a.Key)).ToDictionary();
            if (chosen.Count > 0)
            {
                item["MessageAttributes"] = AttributesJson(chosen);
                item["MD5OfMessageAttributes"] = AttributesMd5(chosen);
            }

            messages.Add(item);
        }

        return messages.Count == 0 ? [] : new JsonObject { ["Messages"] = messages };
    }

    private JsonObject Delete(JsonObject body)
    {
        Find(QueueName(body)).Delete(String(body, "ReceiptHandle", required: true)!);
        return [];
    }

    private JsonObject ChangeVisibility(JsonObject body)
    {
        var queue = Find(QueueName(body));
        var seconds = Int(body, "VisibilityTimeout", 0, 43_200) ?? throw Refuse("MissingParameter", "The request must contain the parameter VisibilityTimeout.");
        queue.ChangeVisibility(String(body, "ReceiptHandle", required: true)!, seconds);
        return [];
    }

    private static SqsMessage ReadMessage(JsonObject body)
    {
        var text = String(body, "MessageBody", required: true)!;
        var size = Encoding.UTF8.GetByteCount(text);
        if (size is 0 or > MaxBody)
        {
            throw Refuse("InvalidParameterValue", $"One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes (and not empty); it is {size}.");
        }

        var attributes = new Dictionary<string, (string Type, string Value)>(StringComparer.Ordinal);
        if (body["MessageAttributes"] is JsonObject given)
        {
            if (given.Count > 10)
            {
                throw Refuse("InvalidParameterValue", "Number of message attributes [" + given.Count + "] exceeds the allowed maximum [10].");
            }

            foreach (var (name, value) in given)
            {
                var type = value?["DataType"]?.GetValue<string>();
                var stringValue = value?["StringValue"]?.GetValue<string>();
                if (type is not ("String" or "Number") || stringValue is null)
                {
                    throw Refuse("InvalidParameterValue", $"The message attribute '{name}' must have a DataType of String or Number and a StringValue.");
                }

                attributes[name] = (type, stringValue);
            }
        }

        return new SqsMessage(Guid.NewGuid().ToString(), text, attributes, DateTimeOffset.UtcNow) { Delay = Int(body, "DelaySeconds", 0, 900) };
    }

    private JsonObject Sent(SqsMessage message)
    {
        var digest = Md5(Encoding.UTF8.GetBytes(message.Body));
        if (Interlocked.Exchange(ref _corruptDigest, 0) == 1)
        {
            digest = Md5(Encoding.UTF8.GetBytes(message.Body + "!"));
        }

        var sent = new JsonObject { ["MessageId"] = message.Id, ["MD5OfMessageBody"] = digest };
        if (message.Attributes.Count > 0)
        {
            sent["MD5OfMessageAttributes"] = AttributesMd5(message.Attributes);
        }

        return sent;
    }

    private static JsonObject AttributesJson(Dictionary<string, (string Type, string Value)> attributes)
    {
        var json = new JsonObject();
        foreach (var (name, (type, value)) in attributes)
        {
            json[name] = new JsonObject { ["DataType"] = type, ["StringValue"] = value };
        }

        return json;
    }

    /// <summary>
    /// SQS's digest of message attributes: for each, by name in order, the name, the data type and the value, each as a
    /// 4-byte big-endian length and UTF-8 bytes, with a transport byte (1, string) before the value.
    /// </summary>
    private static string AttributesMd5(IReadOnlyDictionary<string, (string Type, string Value)> attributes)
    {
        using var buffer = new MemoryStream();
        void Write(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Span<byte> length = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        foreach (var (name, (type, value)) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            Write(name);
            Write(type);
            buffer.WriteByte(1);
            Write(value);
        }

        return Md5(buffer.ToArray());
    }

    private static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));

    /// <summary>The queue a request's <c>QueueUrl</c> names.</summary>
    private string QueueName(JsonObject body)
    {
        var url = String(body, "QueueUrl", required: true)!;
        var prefix = $"{ServiceUrl}/{Account}/";
        return url.StartsWith(prefix, StringComparison.Ordinal) ? url[prefix.Length..] : throw Refuse("InvalidAddress", $"The address {url} is not valid for this endpoint.", 404);
    }

    private SqsQueue Find(string name) =>
        _queues.TryGetValue(name, out var queue) ? queue : throw Refuse("QueueDoesNotExist", "The specified queue does not exist.");

    private static string? String(JsonObject body, string name, bool required = false) =>
        body[name]?.GetValue<string>() ?? (required ? throw Refuse("MissingParameter", $"The request must contain the parameter {name}.") : null);

    private static int? Int(JsonObject body, string name, int min, int max)
    {
        if (body[name] is not { } node)
        {
            return null;
        }

        var value = node.GetValueKind() == JsonValueKind.Number ? node.GetValue<int>() : int.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture);
        return value >= min && value <= max
            ? value
            : throw Refuse("InvalidParameterValue", $"Value {value} for parameter {name} is invalid. Reason: Must be between {min} and {max}.");
    }

    private static int? Seconds(JsonObject attributes, string name, int min, int max) => Int(attributes, name, min, max);

    /// <summary>A request no SQS client would send: answered as SQS would, and recorded so that the suite fails.</summary>
    private SqsError Violation(string code, string message, int status = 400)
    {
        Violations.Enqueue($"{code}: {message}");
        return new SqsError(code, message, status);
    }

    /// <summary>One of SQS's documented errors, for a request SQS refuses.</summary>
    private static SqsError Refuse(string code, string message, int status = 400) => new(code, message, status);

    private sealed class SqsError(string code, string message, int status) : Exception(message)
    {
        public string Code { get; } = code;

        public int Status { get; } = status;
    }

    private sealed record SqsMessage(string Id, string Body, Dictionary<string, (string Type, string Value)> Attributes, DateTimeOffset SentAt)
    {
        public int? Delay { get; init; }

        public DateTime VisibleAt { get; set; }

        public int ReceiveCount { get; set; }

        public string ReceiptHandle { get; set; } = "";
    }

    private sealed class SqsQueue(string url)
    {
        private readonly Lock _lock = new();
        private readonly List<SqsMessage> _messages = [];

        public string Url { get; } = url;

        public int VisibilityTimeout { get; set; } = 30;

        public int Delay { get; set; }

        public int Retention { get; set; } = 345_600;

        public SqsQueue? DeadLetterQueue { get; set; }

        public int MaxReceiveCount { get; set; }

        public SqsMessage Send(SqsMessage message)
        {
            message.VisibleAt = DateTime.UtcNow.AddSeconds(message.Delay ?? Delay);
            lock (_lock)
            {
                _messages.Add(message);
            }

            return message;
        }

        public List<SqsMessage> Receive(int max, int visibility)
        {
            var now = DateTime.UtcNow;
            var received = new List<SqsMessage>();
            lock (_lock)
            {
                _messages.RemoveAll(m => m.SentAt.AddSeconds(Retention) <= now);
                foreach (var message in _messages.Where(m => m.VisibleAt <= now).ToList())
                {
                    if (received.Count == max)
                    {
                        break;
                    }

                    if (DeadLetterQueue is { } deadLetters && message.ReceiveCount >= MaxReceiveCount)
                    {
                        _messages.Remove(message);
                        deadLetters.Send(message with { Delay = 0, ReceiveCount = 0, ReceiptHandle = "" });
                        continue;
                    }

                    message.ReceiveCount++;
                    message.VisibleAt = now.AddSeconds(visibility);
                    message.ReceiptHandle = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)) + "." + message.Id;
                    received.Add(message);
                }
            }

            return received;
        }

        public void Delete(string receiptHandle)
        {
            lock (_lock)
            {
                // An old handle is accepted without deleting the message, as SQS documents for standard queues.
                _messages.RemoveAll(m => m.ReceiptHandle == receiptHandle);
            }
        }

        public void ChangeVisibility(string receiptHandle, int seconds)
        {
            lock (_lock)
            {
                var message = _messages.FirstOrDefault(m => m.ReceiptHandle == receiptHandle && m.VisibleAt > DateTime.UtcNow)
                    ?? throw new SqsError("MessageNotInflight", "The message referred to isn't in flight.", 400);
                message.VisibleAt = DateTime.UtcNow.AddSeconds(seconds);
            }
        }
    }
}
