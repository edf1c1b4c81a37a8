namespace Infrar;

/// <summary>How an object is written.</summary>
public sealed record UploadOptions
{
    /// <summary>The MIME type stored with the object; <c>application/octet-stream</c> when not set.</summary>
    public string? ContentType { get; init; }

    /// <summary>User metadata stored with the object. For portability use lower-case letters, digits and <c>_</c> in names and ASCII in values.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Writes only if no object has this key yet; otherwise throws <see cref="ObjectAlreadyExistsException"/>.</summary>
    public bool IfNotExists { get; init; }
}
