namespace Infrar;

/// <summary>How one message is sent.</summary>
public sealed record SendOptions
{
    /// <summary>How long the message stays invisible after it is sent, up to 15 minutes.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Attributes carried beside the body, up to 9, names of letters, digits, '-', '_' and '.'.</summary>
    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
}

/// <summary>One message of a batch: its body and how it is sent.</summary>
/// <param name="Body">The body's bytes.</param>
/// <param name="Options">Its delay and attributes.</param>
public sealed record OutgoingMessage(ReadOnlyMemory<byte> Body, SendOptions? Options = null)
{
    /// <summary>A message with a UTF-8 text body.</summary>
    public static OutgoingMessage FromString(string body, SendOptions? options = null) =>
        new(System.Text.Encoding.UTF8.GetBytes(body ?? throw new ArgumentNullException(nameof(body))), options);
}

/// <summary>How messages are received.</summary>
public sealed record ReceiveOptions
{
    /// <summary>How many messages one request to the queue asks for, 1 to 10.</summary>
    public int MaxMessages { get; init; } = 10;

    /// <summary>How long one request waits for a message when the queue is empty (long polling), up to 20 seconds.</summary>
    public TimeSpan WaitTime { get; init; } = TimeSpan.FromSeconds(20);
}
