namespace Infrar;

/// <summary>How a queue treats its messages; the generated infrastructure gives the queue these settings.</summary>
public sealed record QueueOptions
{
    /// <summary>The defaults: a 30-second lease, five deliveries, then the dead-letter queue; four days' retention.</summary>
    public static QueueOptions Default { get; } = new();

    /// <summary>
    /// How long a received message stays hidden from other receivers (its lease) before it is delivered again, unless
    /// it is completed, abandoned or its lease extended first. Between 1 second and 12 hours.
    /// </summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many times a message is delivered at most. A message delivered this many times without being completed
    /// is moved to the queue's dead-letter queue (<see cref="Queue.DeadLetters"/>) instead of a further delivery.
    /// Between 1 and 100.
    /// </summary>
    public int MaxDeliveries { get; init; } = 5;

    /// <summary>How long a message is kept when nobody completes it. Between 1 minute and 7 days.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(4);

    internal void Validate()
    {
        if (VisibilityTimeout < TimeSpan.FromSeconds(1) || VisibilityTimeout > TimeSpan.FromHours(12))
        {
            throw new ArgumentOutOfRangeException(nameof(VisibilityTimeout), VisibilityTimeout, "A queue's visibility timeout must be between 1 second and 12 hours, the range every provider accepts.");
        }

        if (MaxDeliveries is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDeliveries), MaxDeliveries, "A queue's delivery limit must be between 1 and 100, the range every provider accepts.");
        }

        if (Retention < TimeSpan.FromMinutes(1) || Retention > TimeSpan.FromDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(Retention), Retention, "A queue's retention must be between 1 minute and 7 days, the range every provider accepts.");
        }
    }
}
