namespace Infrar.Catalog.Aws;

/// <summary>
/// Amazon SQS's code for each operation of <c>Infrar.Queue</c>, with the same signature as the method it implements.
/// The generator lifts each body into the interceptor of the calls it rewrites, and wraps it in AmazonSqsQueues.Error
/// unless it is an iterator.
/// </summary>
internal static class QueueOperations
{
    [global::Infrar.Internal.InfrarOperation("send_bytes")]
    public static async global::System.Threading.Tasks.Task<string> SendAsync(
        this global::Infrar.Queue queue,
        global::System.ReadOnlyMemory<byte> body,
        global::Infrar.SendOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        global::Infrar.Internal.QueueLimits.ValidateMessage(body, options, nameof(body));
        var response = await AmazonSqsQueues.Client.SendMessageAsync(AmazonSqsQueues.NewSend(queue, body, options), cancellationToken).ConfigureAwait(false);
        return response.MessageId;
    }

    [global::Infrar.Internal.InfrarOperation("send_string")]
    public static async global::System.Threading.Tasks.Task<string> SendAsync(
        this global::Infrar.Queue queue,
        string body,
        global::Infrar.SendOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        global::System.ArgumentNullException.ThrowIfNull(body);
        var bytes = global::System.Text.Encoding.UTF8.GetBytes(body);
        global::Infrar.Internal.QueueLimits.ValidateMessage(bytes, options, nameof(body));
        var response = await AmazonSqsQueues.Client.SendMessageAsync(AmazonSqsQueues.NewSend(queue, bytes, options), cancellationToken).ConfigureAwait(false);
        return response.MessageId;
    }

    [global::Infrar.Internal.InfrarOperation("send_json_typed")]
    public static async global::System.Threading.Tasks.Task<string> SendJsonAsync<T>(
        this global::Infrar.Queue queue,
        T value,
        global::System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo,
        global::Infrar.SendOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        var bytes = global::System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        global::Infrar.Internal.QueueLimits.ValidateMessage(bytes, options, nameof(value));
        var response = await AmazonSqsQueues.Client.SendMessageAsync(AmazonSqsQueues.NewSend(queue, bytes, options), cancellationToken).ConfigureAwait(false);
        return response.MessageId;
    }

    [global::Infrar.Internal.InfrarOperation("send_json")]
    public static async global::System.Threading.Tasks.Task<string> SendJsonAsync<T>(
        this global::Infrar.Queue queue,
        T value,
        global::Infrar.SendOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        var bytes = global::Infrar.Internal.QueueJson.Serialize(value);
        global::Infrar.Internal.QueueLimits.ValidateMessage(bytes, options, nameof(value));
        var response = await AmazonSqsQueues.Client.SendMessageAsync(AmazonSqsQueues.NewSend(queue, bytes, options), cancellationToken).ConfigureAwait(false);
        return response.MessageId;
    }

    [global::Infrar.Internal.InfrarOperation("send_batch")]
    public static async global::System.Threading.Tasks.Task<global::System.Collections.Generic.IReadOnlyList<string>> SendBatchAsync(
        this global::Infrar.Queue queue,
        global::System.Collections.Generic.IReadOnlyList<global::Infrar.OutgoingMessage> messages,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        global::Infrar.Internal.QueueLimits.ValidateBatch(messages, nameof(messages));
        var request = new global::Amazon.SQS.Model.SendMessageBatchRequest { QueueUrl = AmazonSqsQueues.Url(queue), Entries = [] };
        for (var i = 0; i < messages.Count; i++)
        {
            request.Entries.Add(AmazonSqsQueues.NewBatchEntry(i, messages[i]));
        }

        var response = await AmazonSqsQueues.Client.SendMessageBatchAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Failed is { Count: > 0 } failed)
        {
            throw new global::Infrar.QueueException(
                $"Amazon SQS refused {failed.Count} of {messages.Count} messages sent to {queue}: {failed[0].Message}; the others were sent.",
                "aws", queue.PhysicalName, null, failed[0].Code);
        }

        var ids = new string[messages.Count];
        foreach (var sent in response.Successful ?? [])
        {
            ids[int.Parse(sent.Id, global::System.Globalization.CultureInfo.InvariantCulture)] = sent.MessageId;
        }

        return ids;
    }

    [global::Infrar.Internal.InfrarOperation("receive")]
    public static async global::System.Collections.Generic.IAsyncEnumerable<global::Infrar.QueueMessage> ReceiveAsync(
        this global::Infrar.Queue queue,
        global::Infrar.ReceiveOptions? options = null,
        [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)
    {
        options ??= new global::Infrar.ReceiveOptions();
        global::Infrar.Internal.QueueLimits.ValidateReceive(options, nameof(options));
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var message in await AmazonSqsQueues.ReceiveOnceAsync(queue, options, cancellationToken).ConfigureAwait(false))
            {
                yield return message;
            }
        }
    }
}
