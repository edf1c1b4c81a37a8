namespace Infrar;

/// <summary>
/// A queue operation failed. Every provider's errors are mapped onto this family, beside <see cref="StorageException"/>
/// under <see cref="InfrarException"/>; <see cref="InfrarException.ProviderErrorCode"/> keeps the provider's own code.
/// </summary>
public class QueueException : InfrarException
{
    /// <summary>Creates the exception.</summary>
    public QueueException(string message, string provider, string? queue, string? messageId, string? providerErrorCode, Exception? innerException = null)
        : base(message, provider, providerErrorCode, innerException)
    {
        Queue = queue;
        MessageId = messageId;
    }

    /// <summary>The physical queue name, when the failure concerns one.</summary>
    public string? Queue { get; }

    /// <summary>The message id, when the failure concerns one message.</summary>
    public string? MessageId { get; }
}

/// <summary>
/// The message's lease ran out and it was delivered again (or completed) elsewhere: this receiver may no longer complete,
/// abandon or extend it. Its work may be done twice; handlers must be idempotent.
/// </summary>
public sealed class MessageLeaseLostException(string provider, string? queue, string? messageId, string? providerErrorCode, Exception? innerException = null)
    : QueueException($"The lease on message '{messageId}' of queue '{queue}' was lost: its visibility timeout ran out and it was delivered again or completed elsewhere ({provider}).", provider, queue, messageId, providerErrorCode, innerException);
