namespace Infrar;

/// <summary>How objects are listed.</summary>
public sealed record ListOptions
{
    /// <summary>
    /// Groups keys into folder-like prefixes: keys holding the delimiter after the listed prefix are returned
    /// once, as a <see cref="ListEntry"/> whose <see cref="ListEntry.IsPrefix"/> is true. Usually <c>"/"</c>.
    /// </summary>
    public string? Delimiter { get; init; }
}
