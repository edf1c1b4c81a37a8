using System.ComponentModel;

namespace Infrar.Internal;

/// <summary>
/// The limits every provider's queue code checks first, so that every provider accepts and refuses the same messages,
/// with an <see cref="ArgumentException"/> naming the parameter. Public for the code Infrar generates; not an API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class QueueLimits
{
    /// <summary>The largest body: 256 KiB, Amazon SQS's limit (Azure Storage Queues take less: INFRAR0104 there).</summary>
    public const int MaxBodyBytes = 256 * 1024;

    /// <summary>The most messages in one batch: SQS's limit.</summary>
    public const int MaxBatch = 10;

    /// <summary>The most attributes on one message: SQS's 10, less the one Infrar's SQS code may use to mark a base64 body.</summary>
    public const int MaxAttributes = 9;

    /// <summary>The longest delay: SQS's limit.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(15);

    /// <summary>The longest lease: SQS's and Azure's limit.</summary>
    public static readonly TimeSpan MaxLease = TimeSpan.FromHours(12);

    /// <summary>Appended to a queue's name for its dead-letter queue.</summary>
    public const string DeadLetterSuffix = Naming.ResourceNames.DeadLetterSuffix;

    /// <summary>The start of the attribute names Infrar's provider code puts on messages; refused in what the app sends.</summary>
    public const string ReservedAttributePrefix = "infrar-";

    /// <summary>The variable that holds a declared queue's physical name (on aws, its URL).</summary>
    public static string EnvironmentVariable(string logicalName) => Naming.ResourceNames.QueueEnvironmentVariable(logicalName);

    /// <summary>Checks one message to send.</summary>
    public static void ValidateMessage(ReadOnlyMemory<byte> body, SendOptions? options, string parameterName)
    {
        if (body.Length > MaxBodyBytes)
        {
            throw new ArgumentException($"A message body may be at most {MaxBodyBytes / 1024} KiB; this one is {body.Length} bytes. Store large content in a bucket and send its key.", parameterName);
        }

        if (options is null)
        {
            return;
        }

        if (options.Delay < TimeSpan.Zero || options.Delay > MaxDelay)
        {
            throw new ArgumentOutOfRangeException(parameterName, options.Delay, $"A message's delay must be between 0 and {MaxDelay.TotalMinutes:0} minutes.");
        }

        if (options.Attributes is { } attributes)
        {
            if (attributes.Count > MaxAttributes)
            {
                throw new ArgumentException($"A message may carry at most {MaxAttributes} attributes; this one has {attributes.Count}.", parameterName);
            }

            foreach (var (name, value) in attributes)
            {
                if (string.IsNullOrEmpty(name) || name.Length > 256 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                {
                    throw new ArgumentException($"Message attribute name '{name}' is not accepted: use 1 to 256 letters, digits, '-', '_' or '.'.", parameterName);
                }

                if (name.StartsWith(ReservedAttributePrefix, StringComparison.OrdinalIgnoreCase))
                {
                    throw new ArgumentException($"Message attribute name '{name}' is not accepted: names starting with '{ReservedAttributePrefix}' are Infrar's own (a body's encoding, a delay).", parameterName);
                }

                ArgumentNullException.ThrowIfNull(value, parameterName);
            }
        }
    }

    /// <summary>Checks a batch: 1 to 10 messages, each as <see cref="ValidateMessage"/> checks it.</summary>
    public static void ValidateBatch(IReadOnlyList<OutgoingMessage> messages, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(messages, parameterName);
        if (messages.Count is 0 or > MaxBatch)
        {
            throw new ArgumentException($"A batch holds 1 to {MaxBatch} messages; this one has {messages.Count}.", parameterName);
        }

        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, parameterName);
            ValidateMessage(message.Body, message.Options, parameterName);
        }
    }

    /// <summary>Checks receive options.</summary>
    public static void ValidateReceive(ReceiveOptions options, string parameterName)
    {
        if (options.MaxMessages is < 1 or > MaxBatch)
        {
            throw new ArgumentOutOfRangeException(parameterName, options.MaxMessages, $"A receive asks for 1 to {MaxBatch} messages at a time.");
        }

        if (options.WaitTime < TimeSpan.Zero || options.WaitTime > TimeSpan.FromSeconds(20))
        {
            throw new ArgumentOutOfRangeException(parameterName, options.WaitTime, "A receive waits between 0 and 20 seconds for messages.");
        }
    }

    /// <summary>Checks a lease's new length or an abandon's delay.</summary>
    public static void ValidateLease(TimeSpan duration, string parameterName, bool allowZero)
    {
        if (duration < TimeSpan.Zero || (!allowZero && duration == TimeSpan.Zero) || duration > MaxLease)
        {
            var range = allowZero ? "from 0 to 12 hours" : "more than 0 and at most 12 hours";
            throw new ArgumentOutOfRangeException(parameterName, duration, $"Must be {range}.");
        }
    }
}
