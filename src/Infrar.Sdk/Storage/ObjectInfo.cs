namespace Infrar;

/// <summary>What is known of a stored object without reading its content.</summary>
/// <param name="Key">The object's key.</param>
/// <param name="Size">The content's length in bytes.</param>
/// <param name="ContentType">The MIME type it was written with.</param>
/// <param name="ETag">The provider's entity tag: it changes whenever the content changes. Its format is the provider's.</param>
/// <param name="LastModified">When the object was last written.</param>
/// <param name="Metadata">The user metadata it was written with.</param>
public sealed record ObjectInfo(
    string Key,
    long Size,
    string ContentType,
    string ETag,
    DateTimeOffset LastModified,
    IReadOnlyDictionary<string, string> Metadata);
