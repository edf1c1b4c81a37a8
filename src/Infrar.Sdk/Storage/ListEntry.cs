namespace Infrar;

/// <summary>One result of a listing: an object, or a folder-like prefix when a delimiter was given.</summary>
/// <param name="Key">The object's key, or the prefix (ending with the delimiter).</param>
/// <param name="IsPrefix">True for a folder-like prefix, which has no size, ETag or date.</param>
/// <param name="Size">The object's length in bytes.</param>
/// <param name="ETag">The object's entity tag.</param>
/// <param name="LastModified">When the object was last written.</param>
public sealed record ListEntry(string Key, bool IsPrefix, long Size, string? ETag, DateTimeOffset? LastModified)
{
    /// <summary>An object entry.</summary>
    public static ListEntry Object(string key, long size, string? eTag, DateTimeOffset? lastModified) =>
        new(key, IsPrefix: false, size, eTag, lastModified);

    /// <summary>A folder-like prefix entry.</summary>
    public static ListEntry Prefix(string prefix) => new(prefix, IsPrefix: true, 0, null, null);
}
