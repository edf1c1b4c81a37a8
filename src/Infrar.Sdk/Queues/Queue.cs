using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Infrar.Internal;
using Infrar.Local;

namespace Infrar;

/// <summary>A message queue. Declare one with <see cref="Queues.Queue"/>.</summary>
/// <remarks>
/// With <c>InfrarProvider=local</c> (the default) the queue is a folder of message files that any number of processes
/// on the machine can send to and receive from, safely across crashes. Delivery is at least once and unordered.
/// In a build for a cloud, Infrar's generator rewrites each call into a direct call on that provider's queue service;
/// a call that reached these bodies in a cloud build would throw <see cref="CallNotRewrittenException"/>.
/// </remarks>
public sealed class Queue
{
    private Queue? _deadLetters;

    internal Queue(string name, string physicalName, QueueOptions options, bool isDeadLetterQueue = false)
    {
        Name = name;
        PhysicalName = physicalName;
        Options = options;
        IsDeadLetterQueue = isDeadLetterQueue;
    }

    /// <summary>The logical name the code declared.</summary>
    public string Name { get; }

    /// <summary>The provider's name for the queue: <c>INFRAR_QUEUE_&lt;NAME&gt;</c>, or the logical name.</summary>
    public string PhysicalName { get; }

    /// <summary>The options the queue was declared with.</summary>
    public QueueOptions Options { get; }

    /// <summary>Whether this is another queue's dead-letter queue, which has no delivery limit of its own.</summary>
    public bool IsDeadLetterQueue { get; }

    /// <summary>
    /// Where messages go after <see cref="QueueOptions.MaxDeliveries"/> deliveries without completion: a queue of its
    /// own, named after this one with <c>-dead-letters</c>, to receive from, inspect and complete like any other.
    /// </summary>
    public Queue DeadLetters => IsDeadLetterQueue
        ? throw new InvalidOperationException($"Queue '{Name}' is a dead-letter queue; it has none of its own.")
        : _deadLetters ??= new Queue(Name + QueueLimits.DeadLetterSuffix, PhysicalName + QueueLimits.DeadLetterSuffix, Options, isDeadLetterQueue: true);

    /// <summary>Sends one message; returns its id.</summary>
    [InfrarOperation("send_bytes")]
    public Task<string> SendAsync(ReadOnlyMemory<byte> body, SendOptions? options = null, CancellationToken cancellationToken = default) =>
        LocalQueueStore.SendAsync(this, body, options, cancellationToken);

    /// <summary>Sends one message with a UTF-8 text body; returns its id.</summary>
    [InfrarOperation("send_string")]
    public Task<string> SendAsync(string body, SendOptions? options = null, CancellationToken cancellationToken = default) =>
        LocalQueueStore.SendAsync(this, Encoding.UTF8.GetBytes(body ?? throw new ArgumentNullException(nameof(body))), options, cancellationToken);

    /// <summary>Sends a value as a JSON body, with the serialization metadata a <c>JsonSerializerContext</c> generated; returns its id.</summary>
    [InfrarOperation("send_json_typed")]
    public Task<string> SendJsonAsync<T>(T value, JsonTypeInfo<T> typeInfo, SendOptions? options = null, CancellationToken cancellationToken = default) =>
        LocalQueueStore.SendAsync(this, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo), options, cancellationToken);

    /// <summary>Sends a value as a JSON body (System.Text.Json, web defaults); returns its id.</summary>
    [RequiresUnreferencedCode("Serializes T by reflection; pass a JsonTypeInfo<T> from a JsonSerializerContext when trimming.")]
    [RequiresDynamicCode("Serializes T by reflection; pass a JsonTypeInfo<T> from a JsonSerializerContext for native AOT.")]
    [InfrarOperation("send_json")]
    public Task<string> SendJsonAsync<T>(T value, SendOptions? options = null, CancellationToken cancellationToken = default) =>
        LocalQueueStore.SendAsync(this, JsonSerializer.SerializeToUtf8Bytes(value, QueueMessage.JsonOptions), options, cancellationToken);

    /// <summary>
    /// Sends up to 10 messages in one request; returns their ids in order. The batch is checked whole before anything
    /// is sent; a failure part way leaves the messages before it sent.
    /// </summary>
    [InfrarOperation("send_batch")]
    public Task<IReadOnlyList<string>> SendBatchAsync(IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken = default) =>
        LocalQueueStore.SendBatchAsync(this, messages, cancellationToken);

    /// <summary>
    /// Receives messages as they arrive, without end: each request asks for up to <see cref="ReceiveOptions.MaxMessages"/>
    /// and waits up to <see cref="ReceiveOptions.WaitTime"/> when the queue is empty, then asks again. Stop it with
    /// <paramref name="cancellationToken"/> (the enumeration then throws <see cref="OperationCanceledException"/>).
    /// Each message is leased for the queue's visibility timeout: complete it, abandon it or extend its lease.
    /// </summary>
    [InfrarOperation("receive")]
    public IAsyncEnumerable<QueueMessage> ReceiveAsync(ReceiveOptions? options = null, CancellationToken cancellationToken = default) =>
        LocalQueueStore.ReceiveAsync(this, options ?? new ReceiveOptions(), cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => $"queue '{Name}' ({PhysicalName})";
}
