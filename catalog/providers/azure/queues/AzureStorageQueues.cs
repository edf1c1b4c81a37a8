namespace Infrar.Catalog.Azure;

/// <summary>
/// Azure Storage Queues' client and the helpers its queue operations share. The generator writes these members into a
/// file-local class of this name beside the interceptors, as they are here.
/// </summary>
/// <remarks>
/// Azure Storage Queues carry text and no attributes, so each message is a small JSON envelope, all ASCII:
/// <c>{"text":"…"}</c> for a UTF-8 body or <c>{"base64":"…"}</c> for any other, with <c>"attributes"</c> when there are
/// some. Azure has no dead-letter queue: a message received more often than the queue's delivery limit is moved by the
/// receiver to the queue named with the dead-letter suffix, and not delivered.
/// </remarks>
internal static class AzureStorageQueues
{
    /// <summary>Azure's largest message, as sent.</summary>
    private const int MaxMessageBytes = 64 * 1024;

    private static readonly global::System.TimeSpan MaxPoll = global::System.TimeSpan.FromSeconds(1);

    private static readonly global::System.Lazy<global::Azure.Storage.Queues.QueueServiceClient> LazyClient = new(CreateClient);

    private static readonly global::System.Collections.Concurrent.ConcurrentDictionary<string, global::Azure.Storage.Queues.QueueClient> Clients = new();

    /// <summary>
    /// The process's one Queue service client: AZURE_STORAGE_CONNECTION_STRING when set; otherwise the account's queue
    /// endpoint in AZURE_STORAGE_QUEUE_URL (or https://AZURE_STORAGE_ACCOUNT.queue.core.windows.net) with
    /// DefaultAzureCredential, which uses the managed identity named by AZURE_CLIENT_ID where the app runs in Azure.
    /// Requests go through the HTTP handler given to Infrar.CloudClients.UseHttpHandler, if any.
    /// </summary>
    public static global::Azure.Storage.Queues.QueueServiceClient Client => LazyClient.Value;

    private static global::Azure.Storage.Queues.QueueServiceClient CreateClient()
    {
        var options = new global::Azure.Storage.Queues.QueueClientOptions();
        if (global::Infrar.CloudClients.CreateHttpHandler() is { } handler)
        {
            options.Transport = new global::Azure.Core.Pipeline.HttpClientTransport(handler);
        }

        var connectionString = global::System.Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING");
        if (!string.IsNullOrEmpty(connectionString))
        {
            return new global::Azure.Storage.Queues.QueueServiceClient(connectionString, options);
        }

        var queueUrl = global::System.Environment.GetEnvironmentVariable("AZURE_STORAGE_QUEUE_URL");
        var account = global::System.Environment.GetEnvironmentVariable("AZURE_STORAGE_ACCOUNT");
        if (string.IsNullOrEmpty(queueUrl) && !string.IsNullOrEmpty(account))
        {
            queueUrl = $"https://{account}.queue.core.windows.net";
        }

        if (string.IsNullOrEmpty(queueUrl))
        {
            throw new global::System.InvalidOperationException(
                "Azure Storage Queues are not configured: set AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_QUEUE_URL (or AZURE_STORAGE_ACCOUNT) for an Azure.Identity credential.");
        }

        return new global::Azure.Storage.Queues.QueueServiceClient(new global::System.Uri(queueUrl), new global::Azure.Identity.DefaultAzureCredential(), options);
    }

    /// <summary>A queue's client, made once per queue and shared, as the clients are thread-safe.</summary>
    public static global::Azure.Storage.Queues.QueueClient Queue(global::Infrar.Queue queue) =>
        Clients.GetOrAdd(queue.PhysicalName, static name => Client.GetQueueClient(name));

    /// <summary>Sends one message: its envelope, hidden for its delay, kept for the queue's retention.</summary>
    public static async global::System.Threading.Tasks.Task<string> SendAsync(
        global::Infrar.Queue queue, global::System.ReadOnlyMemory<byte> body, global::Infrar.SendOptions? options, string parameterName, global::System.Threading.CancellationToken cancellationToken)
    {
        global::Infrar.Internal.QueueLimits.ValidateMessage(body, options, parameterName);
        var envelope = Envelope(body, options?.Attributes, parameterName);
        var delay = options?.Delay ?? global::System.TimeSpan.Zero;
        var sent = await Queue(queue).SendMessageAsync(envelope, delay > global::System.TimeSpan.Zero ? delay : null, queue.Options.Retention, cancellationToken).ConfigureAwait(false);
        return sent.Value.MessageId;
    }

    /// <summary>The message as Azure carries it, refused with the parameter's name when it is larger than Azure takes.</summary>
    private static string Envelope(global::System.ReadOnlyMemory<byte> body, global::System.Collections.Generic.IReadOnlyDictionary<string, string>? attributes, string parameterName)
    {
        using var buffer = new global::System.IO.MemoryStream();
        using (var json = new global::System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (global::System.Text.Unicode.Utf8.IsValid(body.Span))
            {
                json.WriteString("text", global::System.Text.Encoding.UTF8.GetString(body.Span));
            }
            else
            {
                json.WriteBase64String("base64", body.Span);
            }

            if (attributes is { Count: > 0 })
            {
                json.WriteStartObject("attributes");
                foreach (var pair in attributes)
                {
                    json.WriteString(pair.Key, pair.Value);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        if (buffer.Length > MaxMessageBytes)
        {
            throw new global::System.ArgumentException(
                $"Azure Storage Queues carry at most 64 KiB per message as sent; this one takes {buffer.Length} bytes (text other than ASCII is escaped, a body that is not UTF-8 text is sent as base64, and attributes count). Store large content in a bucket and send its key.",
                parameterName);
        }

        return global::System.Text.Encoding.ASCII.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// One receive: waits up to the options' wait time for messages (Azure answers at once, so this polls, backing off to
    /// once a second), moves each one past the delivery limit to the dead-letter queue, and returns the rest; errors mapped.
    /// </summary>
    public static async global::System.Threading.Tasks.Task<global::System.Collections.Generic.List<global::Infrar.QueueMessage>> ReceiveOnceAsync(
        global::Infrar.Queue queue, global::Infrar.ReceiveOptions options, global::System.Threading.CancellationToken cancellationToken)
    {
        var client = Queue(queue);
        var waitUntil = global::System.DateTime.UtcNow + options.WaitTime;
        var poll = global::System.TimeSpan.FromMilliseconds(100);
        var received = new global::System.Collections.Generic.List<global::Infrar.QueueMessage>();
        try
        {
            while (true)
            {
                var response = await client.ReceiveMessagesAsync(options.MaxMessages, queue.Options.VisibilityTimeout, cancellationToken).ConfigureAwait(false);
                foreach (var message in response.Value)
                {
                    if (!queue.IsDeadLetterQueue && message.DequeueCount > queue.Options.MaxDeliveries)
                    {
                        await DeadLetterAsync(queue, client, message, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    received.Add(new StorageQueueMessage(queue, client, message));
                }

                if (received.Count > 0 || global::System.DateTime.UtcNow + poll > waitUntil)
                {
                    return received;
                }

                await global::System.Threading.Tasks.Task.Delay(poll, cancellationToken).ConfigureAwait(false);
                poll = poll * 2 < MaxPoll ? poll * 2 : MaxPoll;
            }
        }
        catch (global::Azure.RequestFailedException e)
        {
            throw Error(e, queue);
        }
    }

    /// <summary>
    /// Sends the message's envelope to the dead-letter queue, then deletes it here; a crash between the two leaves it in
    /// both, to be moved again (at least once, never lost).
    /// </summary>
    private static async global::System.Threading.Tasks.Task DeadLetterAsync(
        global::Infrar.Queue queue, global::Azure.Storage.Queues.QueueClient client, global::Azure.Storage.Queues.Models.QueueMessage message, global::System.Threading.CancellationToken cancellationToken)
    {
        await Queue(queue.DeadLetters).SendMessageAsync(message.MessageText, null, queue.Options.Retention, cancellationToken).ConfigureAwait(false);
        try
        {
            await client.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (global::Azure.RequestFailedException e) when (e.Status is 400 or 404)
        {
            // Another receiver moved it first: it is in the dead-letter queue twice, as at least once allows.
        }
    }

    /// <summary>A message received from Azure: its pop receipt (renewed by each update) completes it or changes its visibility.</summary>
    private sealed class StorageQueueMessage : global::Infrar.QueueMessage
    {
        private readonly global::Infrar.Queue _queue;
        private readonly global::Azure.Storage.Queues.QueueClient _client;
        private string _popReceipt;

        public StorageQueueMessage(global::Infrar.Queue queue, global::Azure.Storage.Queues.QueueClient client, global::Azure.Storage.Queues.Models.QueueMessage message)
            : this(queue, client, message, Open(message.MessageText))
        {
        }

        private StorageQueueMessage(
            global::Infrar.Queue queue,
            global::Azure.Storage.Queues.QueueClient client,
            global::Azure.Storage.Queues.Models.QueueMessage message,
            (byte[] Body, global::System.Collections.Generic.IReadOnlyDictionary<string, string> Attributes) opened)
            : base(message.MessageId, opened.Body, (int)message.DequeueCount, message.InsertedOn ?? global::System.DateTimeOffset.UtcNow, opened.Attributes)
        {
            _queue = queue;
            _client = client;
            _popReceipt = message.PopReceipt;
        }

        public override async global::System.Threading.Tasks.Task CompleteAsync(global::System.Threading.CancellationToken cancellationToken = default)
        {
            try
            {
                await _client.DeleteMessageAsync(Id, _popReceipt, cancellationToken).ConfigureAwait(false);
            }
            catch (global::Azure.RequestFailedException e)
            {
                throw Error(e, _queue, Id);
            }
        }

        public override global::System.Threading.Tasks.Task AbandonAsync(global::System.TimeSpan delay = default, global::System.Threading.CancellationToken cancellationToken = default)
        {
            global::Infrar.Internal.QueueLimits.ValidateLease(delay, nameof(delay), allowZero: true);
            return UpdateAsync(delay, cancellationToken);
        }

        public override global::System.Threading.Tasks.Task ExtendLeaseAsync(global::System.TimeSpan duration, global::System.Threading.CancellationToken cancellationToken = default)
        {
            global::Infrar.Internal.QueueLimits.ValidateLease(duration, nameof(duration), allowZero: false);
            return UpdateAsync(duration, cancellationToken);
        }

        private async global::System.Threading.Tasks.Task UpdateAsync(global::System.TimeSpan visibility, global::System.Threading.CancellationToken cancellationToken)
        {
            try
            {
                var updated = await _client.UpdateMessageAsync(Id, _popReceipt, (string?)null, visibility, cancellationToken).ConfigureAwait(false);
                _popReceipt = updated.Value.PopReceipt;
            }
            catch (global::Azure.RequestFailedException e)
            {
                throw Error(e, _queue, Id);
            }
        }

        /// <summary>The body and attributes of an envelope; a message some other sender put there is its text, as is.</summary>
        private static (byte[] Body, global::System.Collections.Generic.IReadOnlyDictionary<string, string> Attributes) Open(string text)
        {
            var attributes = new global::System.Collections.Generic.Dictionary<string, string>(global::System.StringComparer.Ordinal);
            try
            {
                using var envelope = global::System.Text.Json.JsonDocument.Parse(text);
                var root = envelope.RootElement;
                byte[]? body = null;
                if (root.ValueKind == global::System.Text.Json.JsonValueKind.Object)
                {
                    if (root.TryGetProperty("text", out var utf8) && utf8.ValueKind == global::System.Text.Json.JsonValueKind.String)
                    {
                        body = global::System.Text.Encoding.UTF8.GetBytes(utf8.GetString()!);
                    }
                    else if (root.TryGetProperty("base64", out var base64) && base64.ValueKind == global::System.Text.Json.JsonValueKind.String)
                    {
                        body = base64.GetBytesFromBase64();
                    }

                    if (body is not null && root.TryGetProperty("attributes", out var given) && given.ValueKind == global::System.Text.Json.JsonValueKind.Object)
                    {
                        foreach (var pair in given.EnumerateObject())
                        {
                            attributes[pair.Name] = pair.Value.GetString() ?? "";
                        }
                    }
                }

                return (body ?? global::System.Text.Encoding.UTF8.GetBytes(text), attributes);
            }
            catch (global::System.Text.Json.JsonException)
            {
                return (global::System.Text.Encoding.UTF8.GetBytes(text), attributes);
            }
        }
    }

    /// <summary>Maps Azure's errors onto Infrar's: a pop receipt Azure no longer knows is a lost lease; the rest are queue failures.</summary>
    public static global::Infrar.QueueException Error(global::Azure.RequestFailedException e, global::Infrar.Queue queue, string? messageId = null) => e.ErrorCode switch
    {
        "MessageNotFound" or "PopReceiptMismatch" when messageId is not null =>
            new global::Infrar.MessageLeaseLostException("azure", queue.PhysicalName, messageId, e.ErrorCode, e),
        _ => new global::Infrar.QueueException($"Azure Storage Queues refused the request on {queue}: {e.Message}", "azure", queue.PhysicalName, messageId, e.ErrorCode, e),
    };
}
