using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Infrar;

/// <summary>
/// A received message, leased to its receiver until the queue's visibility timeout runs out: complete it when it is
/// handled, abandon it to have it delivered again, or extend the lease for longer work.
/// </summary>
/// <remarks>Each provider supplies its own; derive from it to fake messages in tests.</remarks>
public abstract class QueueMessage
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>Creates a message as a provider received it.</summary>
    protected QueueMessage(string id, ReadOnlyMemory<byte> body, int deliveryCount, DateTimeOffset enqueuedAt, IReadOnlyDictionary<string, string> attributes)
    {
        Id = id;
        Body = body;
        DeliveryCount = deliveryCount;
        EnqueuedAt = enqueuedAt;
        Attributes = attributes;
    }

    /// <summary>The id the queue gave the message when it was sent.</summary>
    public string Id { get; }

    /// <summary>The body's bytes.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>How many times the message has been delivered, this delivery included (1 the first time).</summary>
    public int DeliveryCount { get; }

    /// <summary>When the message was sent.</summary>
    public DateTimeOffset EnqueuedAt { get; }

    /// <summary>The attributes it was sent with.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; }

    /// <summary>The body as UTF-8 text.</summary>
    public string BodyAsString() => Encoding.UTF8.GetString(Body.Span);

    /// <summary>The body as JSON, with the serialization metadata a <c>JsonSerializerContext</c> generated.</summary>
    public T? BodyAsJson<T>(JsonTypeInfo<T> typeInfo) => JsonSerializer.Deserialize(Body.Span, typeInfo);

    /// <summary>The body as JSON (System.Text.Json, web defaults).</summary>
    [RequiresUnreferencedCode("Deserializes T by reflection; pass a JsonTypeInfo<T> from a JsonSerializerContext when trimming.")]
    [RequiresDynamicCode("Deserializes T by reflection; pass a JsonTypeInfo<T> from a JsonSerializerContext for native AOT.")]
    public T? BodyAsJson<T>() => JsonSerializer.Deserialize<T>(Body.Span, JsonOptions);

    /// <summary>Removes the message from the queue: it was handled. Throws <see cref="MessageLeaseLostException"/> when the lease ran out and another receiver has it.</summary>
    public abstract Task CompleteAsync(CancellationToken cancellationToken = default);

    /// <summary>Gives the message back, to be delivered again after <paramref name="delay"/> (at once by default). Throws <see cref="MessageLeaseLostException"/> when the lease was lost.</summary>
    public abstract Task AbandonAsync(TimeSpan delay = default, CancellationToken cancellationToken = default);

    /// <summary>Keeps the message leased for <paramref name="duration"/> from now (up to 12 hours). Throws <see cref="MessageLeaseLostException"/> when the lease was lost.</summary>
    public abstract Task ExtendLeaseAsync(TimeSpan duration, CancellationToken cancellationToken = default);
}
