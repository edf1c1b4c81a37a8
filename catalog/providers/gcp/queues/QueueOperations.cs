namespace Infrar.Catalog.Gcp;

/// <summary>
/// Pub/Sub's code for each operation of <c>Infrar.Queue</c>, with the same signature as the method it implements. The
/// generator lifts each body into the interceptor of the calls it rewrites, and wraps it in GooglePubSubQueues.Error
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
        var ids = await GooglePubSubQueues.PublishAsync(queue, [GooglePubSubQueues.NewMessage(body, options, nameof(body))], cancellationToken).ConfigureAwait(false);
        return ids[0];
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
        var ids = await GooglePubSubQueues.PublishAsync(queue, [GooglePubSubQueues.NewMessage(bytes, options, nameof(body))], cancellationToken).ConfigureAwait(false);
        return ids[0];
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
        var ids = await GooglePubSubQueues.PublishAsync(queue, [GooglePubSubQueues.NewMessage(bytes, options, nameof(value))], cancellationToken).ConfigureAwait(false);
        return ids[0];
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
        var ids = await GooglePubSubQueues.PublishAsync(queue, [GooglePubSubQueues.NewMessage(bytes, options, nameof(value))], cancellationToken).ConfigureAwait(false);
        return ids[0];
    }

    [global::Infrar.Internal.InfrarOperation("send_batch")]
    public static async global::System.Threading.Tasks.Task<global::System.Collections.Generic.IReadOnlyList<string>> SendBatchAsync(
        this global::Infrar.Queue queue,
        global::System.Collections.Generic.IReadOnlyList<global::Infrar.OutgoingMessage> messages,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        global::Infrar.Internal.QueueLimits.ValidateBatch(messages, nameof(messages));
        var published = new global::System.Collections.Generic.List<global::System.Text.Json.Nodes.JsonObject>(messages.Count);
        foreach (var message in messages)
        {
            published.Add(GooglePubSubQueues.NewMessage(message.Body, message.Options, nameof(messages)));
        }

        return await GooglePubSubQueues.PublishAsync(queue, published, cancellationToken).ConfigureAwait(false);
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
            foreach (var message in await GooglePubSubQueues.ReceiveOnceAsync(queue, options, cancellationToken).ConfigureAwait(false))
            {
                yield return message;
            }
        }
    }
}
