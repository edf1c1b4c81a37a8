namespace Infrar.Catalog.Aws;

/// <summary>
/// Amazon SQS's client and the helpers its queue operations share. The generator writes these members into a
/// file-local class of this name beside the interceptors, as they are here.
/// </summary>
internal static class AmazonSqsQueues
{
    /// <summary>
    /// Set on a message whose body is not text SQS can carry (UTF-8 of the characters SQS allows): its body is then
    /// sent as base64. One of SQS's 10 attributes, which is why Infrar lets a message carry 9.
    /// </summary>
    private const string EncodingAttribute = "infrar-encoding";

    /// <summary>SQS's largest message: body and attributes together.</summary>
    private const int MaxMessageBytes = 256 * 1024;

    private static readonly global::System.Lazy<global::Amazon.SQS.AmazonSQSClient> LazyClient = new(CreateClient);

    private static readonly global::System.Collections.Generic.List<string> SystemAttributes = ["ApproximateReceiveCount", "SentTimestamp"];

    private static readonly global::System.Collections.Generic.List<string> AllAttributes = ["All"];

    /// <summary>
    /// The process's one SQS client: the default credential chain and region, the endpoint in AWS_ENDPOINT_URL_SQS or
    /// AWS_ENDPOINT_URL when one is set, and the HTTP handler given to Infrar.CloudClients.UseHttpHandler, if any.
    /// </summary>
    public static global::Amazon.SQS.AmazonSQSClient Client => LazyClient.Value;

    private static global::Amazon.SQS.AmazonSQSClient CreateClient()
    {
        var config = new global::Amazon.SQS.AmazonSQSConfig();
        var endpoint = global::System.Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_SQS");
        if (string.IsNullOrEmpty(endpoint))
        {
            endpoint = global::System.Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        }

        if (!string.IsNullOrEmpty(endpoint))
        {
            config.ServiceURL = endpoint;
        }

        if (global::Infrar.CloudClients.CreateHttpHandler() is { } handler)
        {
            config.HttpClientFactory = new HandlerClientFactory(handler);
        }

        return new global::Amazon.SQS.AmazonSQSClient(config);
    }

    /// <summary>Gives the SQS client an HTTP client on the configured handler.</summary>
    private sealed class HandlerClientFactory(global::System.Net.Http.HttpMessageHandler handler) : global::Amazon.Runtime.HttpClientFactory
    {
        public override global::System.Net.Http.HttpClient CreateHttpClient(global::Amazon.Runtime.IClientConfig clientConfig) =>
            new(handler, disposeHandler: false);
    }

    /// <summary>
    /// The queue's URL, which the infrastructure gives the app in INFRAR_QUEUE_&lt;NAME&gt;; the dead-letter queue's is
    /// that URL with the dead-letter suffix, as the infrastructure names it.
    /// </summary>
    public static string Url(global::Infrar.Queue queue)
    {
        if (queue.PhysicalName.StartsWith("https://", global::System.StringComparison.OrdinalIgnoreCase)
            || queue.PhysicalName.StartsWith("http://", global::System.StringComparison.OrdinalIgnoreCase))
        {
            return queue.PhysicalName;
        }

        var declared = queue.IsDeadLetterQueue ? queue.Name.Substring(0, queue.Name.Length - global::Infrar.Internal.QueueLimits.DeadLetterSuffix.Length) : queue.Name;
        throw new global::Infrar.QueueException(
            $"Queue '{declared}' has no SQS queue URL: the infrastructure Infrar generates sets {(global::Infrar.Internal.QueueLimits.EnvironmentVariable(declared))} to it, and it holds '{queue.PhysicalName}'.",
            "aws", queue.PhysicalName, null, null);
    }

    public static global::Amazon.SQS.Model.SendMessageRequest NewSend(global::Infrar.Queue queue, global::System.ReadOnlyMemory<byte> body, global::Infrar.SendOptions? options)
    {
        var (text, attributes) = Encode(body, options);
        return new global::Amazon.SQS.Model.SendMessageRequest
        {
            QueueUrl = Url(queue),
            MessageBody = text,
            DelaySeconds = options is { Delay.Ticks: > 0 } ? (int)global::System.Math.Ceiling(options.Delay.TotalSeconds) : null,
            MessageAttributes = attributes,
        };
    }

    public static global::Amazon.SQS.Model.SendMessageBatchRequestEntry NewBatchEntry(int index, global::Infrar.OutgoingMessage message)
    {
        var (text, attributes) = Encode(message.Body, message.Options);
        return new global::Amazon.SQS.Model.SendMessageBatchRequestEntry
        {
            Id = index.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            MessageBody = text,
            DelaySeconds = message.Options is { Delay.Ticks: > 0 } options ? (int)global::System.Math.Ceiling(options.Delay.TotalSeconds) : null,
            MessageAttributes = attributes,
        };
    }

    /// <summary>The body as SQS text (base64 when it is not text SQS carries), and the attributes as SQS string attributes.</summary>
    private static (string Text, global::System.Collections.Generic.Dictionary<string, global::Amazon.SQS.Model.MessageAttributeValue>? Attributes) Encode(
        global::System.ReadOnlyMemory<byte> body, global::Infrar.SendOptions? options)
    {
        global::System.Collections.Generic.Dictionary<string, global::Amazon.SQS.Model.MessageAttributeValue>? attributes = null;
        if (options?.Attributes is { Count: > 0 } given)
        {
            attributes = [];
            foreach (var pair in given)
            {
                attributes[pair.Key] = new() { DataType = "String", StringValue = pair.Value };
            }
        }

        var text = SqsText(body.Span);
        if (text is null || text.Length == 0)
        {
            attributes ??= [];
            attributes[EncodingAttribute] = new() { DataType = "String", StringValue = "base64" };
            text = global::System.Convert.ToBase64String(body.Span);
        }

        // SQS counts the attributes' names, types and values in its 256 KiB, and a base64 body's encoded length.
        var size = global::System.Text.Encoding.UTF8.GetByteCount(text);
        foreach (var pair in attributes ?? [])
        {
            size += global::System.Text.Encoding.UTF8.GetByteCount(pair.Key) + pair.Value.DataType.Length + global::System.Text.Encoding.UTF8.GetByteCount(pair.Value.StringValue);
        }

        if (size > MaxMessageBytes)
        {
            throw new global::System.ArgumentException(
                $"Amazon SQS carries at most 256 KiB per message, attributes included, and a body that is not UTF-8 text is sent as base64 (4 bytes for every 3); this message takes {size} bytes. Store large content in a bucket and send its key.",
                "body");
        }

        return (text, attributes);
    }

    /// <summary>The body as text when it is UTF-8 of only the characters SQS accepts (#x9, #xA, #xD, #x20 up, no surrogates alone); else null.</summary>
    private static string? SqsText(global::System.ReadOnlySpan<byte> body)
    {
        if (!global::System.Text.Unicode.Utf8.IsValid(body))
        {
            return null;
        }

        var text = global::System.Text.Encoding.UTF8.GetString(body);
        foreach (var c in text)
        {
            if ((c < ' ' && c is not '\t' and not '\n' and not '\r') || c is '\uFFFE' or '\uFFFF')
            {
                return null;
            }
        }

        return text;
    }

    /// <summary>One receive request: up to the options' batch, waiting up to their wait time; errors mapped.</summary>
    public static async global::System.Threading.Tasks.Task<global::System.Collections.Generic.List<global::Infrar.QueueMessage>> ReceiveOnceAsync(
        global::Infrar.Queue queue, global::Infrar.ReceiveOptions options, global::System.Threading.CancellationToken cancellationToken)
    {
        var url = Url(queue);
        global::Amazon.SQS.Model.ReceiveMessageResponse response;
        try
        {
            response = await Client.ReceiveMessageAsync(
                new global::Amazon.SQS.Model.ReceiveMessageRequest
                {
                    QueueUrl = url,
                    MaxNumberOfMessages = options.MaxMessages,
                    WaitTimeSeconds = (int)options.WaitTime.TotalSeconds,
                    VisibilityTimeout = (int)global::System.Math.Ceiling(queue.Options.VisibilityTimeout.TotalSeconds),
                    MessageAttributeNames = AllAttributes,
                    MessageSystemAttributeNames = SystemAttributes,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (global::Amazon.SQS.AmazonSQSException e)
        {
            throw Error(e, queue);
        }

        var received = new global::System.Collections.Generic.List<global::Infrar.QueueMessage>(response.Messages?.Count ?? 0);
        foreach (var message in response.Messages ?? [])
        {
            received.Add(new SqsMessage(queue, url, message));
        }

        return received;
    }

    /// <summary>A message received from SQS: its receipt handle completes it or changes its visibility.</summary>
    private sealed class SqsMessage : global::Infrar.QueueMessage
    {
        private readonly global::Infrar.Queue _queue;
        private readonly string _url;
        private readonly string _receiptHandle;

        public SqsMessage(global::Infrar.Queue queue, string url, global::Amazon.SQS.Model.Message message)
            : base(message.MessageId, ReadBody(message), ReadCount(message), ReadSent(message), ReadAttributes(message))
        {
            _queue = queue;
            _url = url;
            _receiptHandle = message.ReceiptHandle;
        }

        // SQS accepts a stale receipt handle for DeleteMessage without deleting: a lost lease cannot be told here.
        public override async global::System.Threading.Tasks.Task CompleteAsync(global::System.Threading.CancellationToken cancellationToken = default)
        {
            try
            {
                await Client.DeleteMessageAsync(_url, _receiptHandle, cancellationToken).ConfigureAwait(false);
            }
            catch (global::Amazon.SQS.AmazonSQSException e)
            {
                throw Error(e, _queue, Id);
            }
        }

        public override global::System.Threading.Tasks.Task AbandonAsync(global::System.TimeSpan delay = default, global::System.Threading.CancellationToken cancellationToken = default)
        {
            global::Infrar.Internal.QueueLimits.ValidateLease(delay, nameof(delay), allowZero: true);
            return ChangeVisibilityAsync(delay, cancellationToken);
        }

        public override global::System.Threading.Tasks.Task ExtendLeaseAsync(global::System.TimeSpan duration, global::System.Threading.CancellationToken cancellationToken = default)
        {
            global::Infrar.Internal.QueueLimits.ValidateLease(duration, nameof(duration), allowZero: false);
            return ChangeVisibilityAsync(duration, cancellationToken);
        }

        private async global::System.Threading.Tasks.Task ChangeVisibilityAsync(global::System.TimeSpan visibility, global::System.Threading.CancellationToken cancellationToken)
        {
            try
            {
                await Client.ChangeMessageVisibilityAsync(_url, _receiptHandle, (int)global::System.Math.Ceiling(visibility.TotalSeconds), cancellationToken).ConfigureAwait(false);
            }
            catch (global::Amazon.SQS.AmazonSQSException e)
            {
                throw Error(e, _queue, Id);
            }
        }

        private static byte[] ReadBody(global::Amazon.SQS.Model.Message message) =>
            message.MessageAttributes?.TryGetValue(EncodingAttribute, out var encoding) == true && encoding.StringValue == "base64"
                ? global::System.Convert.FromBase64String(message.Body)
                : global::System.Text.Encoding.UTF8.GetBytes(message.Body);

        private static int ReadCount(global::Amazon.SQS.Model.Message message) =>
            message.Attributes?.TryGetValue("ApproximateReceiveCount", out var count) == true
                ? int.Parse(count, global::System.Globalization.CultureInfo.InvariantCulture)
                : 1;

        private static global::System.DateTimeOffset ReadSent(global::Amazon.SQS.Model.Message message) =>
            message.Attributes?.TryGetValue("SentTimestamp", out var sent) == true
                ? global::System.DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(sent, global::System.Globalization.CultureInfo.InvariantCulture))
                : global::System.DateTimeOffset.UtcNow;

        private static global::System.Collections.Generic.IReadOnlyDictionary<string, string> ReadAttributes(global::Amazon.SQS.Model.Message message)
        {
            var attributes = new global::System.Collections.Generic.Dictionary<string, string>(global::System.StringComparer.Ordinal);
            foreach (var pair in message.MessageAttributes ?? [])
            {
                if (pair.Key != EncodingAttribute && pair.Value.StringValue is { } value)
                {
                    attributes[pair.Key] = value;
                }
            }

            return attributes;
        }
    }

    /// <summary>Maps SQS's errors onto Infrar's: a lease SQS no longer knows is lost; the rest are queue failures.</summary>
    public static global::Infrar.QueueException Error(global::Amazon.SQS.AmazonSQSException e, global::Infrar.Queue queue, string? messageId = null) => e switch
    {
        global::Amazon.SQS.Model.MessageNotInflightException or global::Amazon.SQS.Model.ReceiptHandleIsInvalidException =>
            new global::Infrar.MessageLeaseLostException("aws", queue.PhysicalName, messageId, e.ErrorCode, e),
        _ => new global::Infrar.QueueException($"Amazon SQS refused the request on {queue}: {e.Message}", "aws", queue.PhysicalName, messageId, e.ErrorCode, e),
    };
}
