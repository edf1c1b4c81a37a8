namespace Infrar.Benchmarks.RuntimeOverhead.Abstraction;

/// <summary>
/// (c) A run-time multi-cloud abstraction, shaped like the libraries that do this today: one interface, paths of the
/// form "bucket/key", streams in and out, a provider-neutral listing with a property bag, provider errors wrapped,
/// and an adapter per provider chosen by configuration when the program starts.
/// </summary>
public interface IObjectStore
{
    Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default);

    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StoredObject>> ListAsync(string pathPrefix, CancellationToken cancellationToken = default);
}

/// <summary>An object in a listing, whichever provider holds it.</summary>
public sealed record StoredObject(string Path, long Size, DateTimeOffset? LastModified, IReadOnlyDictionary<string, string> Properties);

/// <summary>A provider error, wrapped so that callers need not know the provider.</summary>
public sealed class ObjectStoreException(string message, Exception inner) : Exception(message, inner);

/// <summary>The conveniences such libraries add on top of the interface.</summary>
public static class ObjectStoreExtensions
{
    public static async Task WriteBytesAsync(this IObjectStore store, string path, byte[] content, CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream(content, writable: false);
        await store.WriteAsync(path, stream, cancellationToken);
    }

    public static async Task<byte[]> ReadBytesAsync(this IObjectStore store, string path, CancellationToken cancellationToken = default)
    {
        await using var stream = await store.OpenReadAsync(path, cancellationToken);
        using var content = new MemoryStream();
        await stream.CopyToAsync(content, cancellationToken);
        return content.ToArray();
    }
}

/// <summary>Splits "bucket/key" paths, as such libraries address objects.</summary>
internal static class StorePath
{
    public static (string Bucket, string Key) Split(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            throw new ArgumentException($"'{path}' is not of the form bucket/key.", nameof(path));
        }

        return (path[..slash], path[(slash + 1)..]);
    }
}
