using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Infrar.Internal;

namespace Infrar.Local;

/// <summary>
/// The local provider: each bucket is a folder under <see cref="Root"/> and each object a file at its key.
/// </summary>
/// <remarks>
/// Layout under the root: <c>&lt;bucket&gt;/&lt;key&gt;</c> holds content, <c>.infrar/meta/&lt;bucket&gt;/&lt;key&gt;.json</c> its
/// sidecar, <c>.infrar/tmp</c> writes in progress and <c>.infrar/locks</c> the commit locks. Content and sidecar are
/// written to temporary files and renamed into place under a lock, so readers see an object whole or not at all.
/// </remarks>
internal static class LocalObjectStore
{
    private const string Provider = "local";
    private const string DefaultContentType = "application/octet-stream";
    private const int LockStripes = 64;

    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        var configured = Environment.GetEnvironmentVariable("INFRAR_LOCAL_ROOT");
        return Path.GetFullPath(string.IsNullOrEmpty(configured)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "infrar", "storage")
            : configured);
    });

    /// <summary>The folder holding every local bucket: <c>INFRAR_LOCAL_ROOT</c>, or <c>infrar/storage</c> in the user's local application data.</summary>
    public static string Root => LazyRoot.Value;

    public static async Task UploadAsync(Bucket bucket, string key, Stream content, UploadOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var target = Locate(bucket, key, create: true);
        var temporary = TemporaryPath();
        try
        {
            string eTag;
            // Unbuffered: the copy below hands the file whole chunks from a pooled buffer.
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true))
            using (var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5))
            {
                var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize(content));
                try
                {
                    int read;
                    while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        md5.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                eTag = '"' + Convert.ToHexStringLower(md5.GetHashAndReset()) + '"';
            }

            var metadata = options?.Metadata is { } given ? new Dictionary<string, string>(given) : [];
            await CommitAsync(bucket, target, temporary, options?.ContentType ?? DefaultContentType, metadata, eTag, options?.IfNotExists ?? false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public static async Task UploadFileAsync(Bucket bucket, string key, string path, UploadOptions? options, CancellationToken cancellationToken)
    {
        await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await UploadAsync(bucket, key, source, options, cancellationToken).ConfigureAwait(false);
    }

    public static async Task DownloadAsync(Bucket bucket, string key, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        await using var content = OpenRead(bucket, key);
        await content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<byte[]> DownloadBytesAsync(Bucket bucket, string key, CancellationToken cancellationToken)
    {
        await using var content = OpenRead(bucket, key);
        var bytes = new byte[content.Length];
        await content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    public static Task<ObjectInfo> GetInfoAsync(Bucket bucket, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = Locate(bucket, key, create: false);
        var (file, sidecar) = ReadDescribed(bucket, target, key);
        return Task.FromResult(new ObjectInfo(
            key,
            file.Length,
            sidecar?.ContentType ?? DefaultContentType,
            sidecar?.ETag ?? ComputeETag(file.FullName),
            new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero),
            sidecar?.Metadata ?? []));
    }

    public static Task<bool> ExistsAsync(Bucket bucket, string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(File.Exists(Locate(bucket, key, create: false).ContentPath));
    }

    public static async IAsyncEnumerable<ListEntry> ListAsync(Bucket bucket, string? prefix, ListOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var directory = BucketDirectory(bucket, create: false);
        prefix ??= "";
        var delimiter = options?.Delimiter;
        if (delimiter is "")
        {
            throw new ArgumentException("The delimiter must not be empty.", nameof(options));
        }

        // Start at the deepest folder the prefix names: only keys below it can match. A prefix that climbs out of the
        // bucket ("../") matches no key, since no key may climb out.
        var lastSlash = prefix.LastIndexOf('/');
        var start = lastSlash < 0 ? directory : Path.GetFullPath(Path.Combine(directory, prefix[..lastSlash]));
        if (!Directory.Exists(start) || (start != directory && !start.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            yield break;
        }

        var keys = Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(key => key.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        string? lastPrefix = null;
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (delimiter is not null)
            {
                var at = key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                if (at >= 0)
                {
                    var common = key[..(at + delimiter.Length)];
                    if (common != lastPrefix)
                    {
                        lastPrefix = common;
                        yield return ListEntry.Prefix(common);
                    }

                    continue;
                }
            }

            var file = new FileInfo(Path.Combine(directory, key));
            if (!file.Exists)
            {
                continue;
            }

            var sidecar = Sidecar.TryRead(SidecarPath(bucket, key));
            yield return ListEntry.Object(key, file.Length, sidecar is not null && sidecar.Describes(file) ? sidecar.ETag : null, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public static async Task DeleteAsync(Bucket bucket, string key, CancellationToken cancellationToken)
    {
        var target = Locate(bucket, key, create: false);
        await using (await AcquireCommitLockAsync(target.ContentPath, cancellationToken).ConfigureAwait(false))
        {
            File.Delete(target.ContentPath);
            File.Delete(target.SidecarPath);
        }
    }

    public static async Task CopyAsync(Bucket sourceBucket, string sourceKey, Bucket destinationBucket, string destinationKey, CancellationToken cancellationToken)
    {
        var source = Locate(sourceBucket, sourceKey, create: false);
        var (file, sidecar) = ReadDescribed(sourceBucket, source, sourceKey);
        var target = Locate(destinationBucket, destinationKey, create: true);
        var temporary = TemporaryPath();
        try
        {
            await using (var from = OpenRead(sourceBucket, sourceKey))
            await using (var to = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await from.CopyToAsync(to, cancellationToken).ConfigureAwait(false);
            }

            await CommitAsync(
                destinationBucket,
                target,
                temporary,
                sidecar?.ContentType ?? DefaultContentType,
                sidecar?.Metadata ?? [],
                sidecar?.ETag ?? ComputeETag(file.FullName),
                ifNotExists: false,
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public static Task<Uri> GetSignedUrlAsync(Bucket bucket, string key, TimeSpan expiresIn, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiresIn, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new Uri(Locate(bucket, key, create: true).ContentPath));
    }

    private static async Task CommitAsync(Bucket bucket, Target target, string temporaryContent, string contentType, Dictionary<string, string> metadata, string eTag, bool ifNotExists, CancellationToken cancellationToken)
    {
        // A write time unique to this write lets a reader tell whether a sidecar belongs to the content beside it.
        var now = DateTime.UtcNow.Ticks;
        var written = new DateTime(now - (now % TimeSpan.TicksPerMillisecond) + Random.Shared.Next(1, (int)TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(temporaryContent, written);
        var sidecar = new Sidecar(contentType, metadata, new FileInfo(temporaryContent).Length, written.Ticks, eTag);
        var temporarySidecar = TemporaryPath();
        try
        {
            await File.WriteAllBytesAsync(temporarySidecar, sidecar.ToUtf8(), cancellationToken).ConfigureAwait(false);
            Directory.CreateDirectory(Path.GetDirectoryName(target.SidecarPath)!);
            await using (await AcquireCommitLockAsync(target.ContentPath, cancellationToken).ConfigureAwait(false))
            {
                if (Directory.Exists(target.ContentPath))
                {
                    throw KeyConflict(bucket, target.Key, "other objects' keys continue it with '/'");
                }

                try
                {
                    File.Move(temporaryContent, target.ContentPath, overwrite: !ifNotExists);
                }
                catch (IOException e) when (ifNotExists && File.Exists(target.ContentPath))
                {
                    throw new ObjectAlreadyExistsException(Provider, bucket.PhysicalName, target.Key, "ObjectExists", e);
                }

                File.Move(temporarySidecar, target.SidecarPath, overwrite: true);
            }
        }
        finally
        {
            File.Delete(temporarySidecar);
        }
    }

    private static (FileInfo File, Sidecar? Sidecar) ReadDescribed(Bucket bucket, Target target, string key)
    {
        // A reader racing a commit may see the new content with the old sidecar: look again before giving up on it.
        for (var attempt = 0; ; attempt++)
        {
            var file = new FileInfo(target.ContentPath);
            if (!file.Exists)
            {
                throw new ObjectNotFoundException(Provider, bucket.PhysicalName, key, "NoSuchKey");
            }

            var sidecar = Sidecar.TryRead(target.SidecarPath);
            if (sidecar is not null && sidecar.Describes(file))
            {
                return (file, sidecar);
            }

            if (attempt == 2)
            {
                return (file, null);
            }

            Thread.Sleep(5);
        }
    }

    /// <summary>A copy buffer no bigger than the content, when its length is known: small objects need small buffers.</summary>
    private static int CopyBufferSize(Stream content) =>
        content.CanSeek ? (int)Math.Clamp(content.Length - content.Position, 1, 81920) : 81920;

    private static FileStream OpenRead(Bucket bucket, string key)
    {
        var target = Locate(bucket, key, create: false);
        try
        {
            // Unbuffered: callers read into their own arrays or copy with a buffer sized to the file.
            return new FileStream(target.ContentPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(Provider, bucket.PhysicalName, key, "NoSuchKey", e);
        }
        catch (UnauthorizedAccessException e) when (Directory.Exists(target.ContentPath))
        {
            throw new ObjectNotFoundException(Provider, bucket.PhysicalName, key, "NoSuchKey", e);
        }
    }

    private static Target Locate(Bucket bucket, string key, bool create)
    {
        var directory = BucketDirectory(bucket, create);
        var contentPath = ObjectKeys.ToPath(directory, key);
        if (create)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(contentPath)!);
            }
            catch (IOException e)
            {
                throw KeyConflict(bucket, key, "an object's key is a folder of it", e);
            }
        }

        return new Target(key, contentPath, SidecarPath(bucket, key));
    }

    private static string BucketDirectory(Bucket bucket, bool create)
    {
        var name = bucket.PhysicalName;
        if (name.Length == 0 || name[0] == '.' || name.IndexOfAny(['/', '\\', '\0', ':']) >= 0)
        {
            throw new StorageException($"Bucket name '{name}' cannot be a local folder: it must not start with '.' or contain '/', '\\', ':' or NUL (local).", Provider, name, null, "InvalidBucketName");
        }

        var directory = Path.Combine(Root, name);
        if (create)
        {
            Directory.CreateDirectory(directory);
        }
        else if (!Directory.Exists(directory))
        {
            throw new BucketNotFoundException(Provider, name, null, "NoSuchBucket");
        }

        return directory;
    }

    private static string SidecarPath(Bucket bucket, string key) =>
        Path.Combine(Root, ".infrar", "meta", bucket.PhysicalName, key + ".json");

    private static string TemporaryPath()
    {
        var directory = Path.Combine(Root, ".infrar", "tmp");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, Guid.NewGuid().ToString("N"));
    }

    private static string ComputeETag(string path)
    {
        using var content = File.OpenRead(path);
        return '"' + Convert.ToHexStringLower(MD5.HashData(content)) + '"';
    }

    private static StorageException KeyConflict(Bucket bucket, string key, string why, Exception? inner = null) =>
        new($"Object key '{key}' conflicts with bucket '{bucket.PhysicalName}': {why}, which a folder cannot hold (local).", Provider, bucket.PhysicalName, key, "KeyConflict", inner);

    /// <summary>
    /// Holds an exclusive lock (an OS file lock, so it also holds across processes) on one of a fixed set of lock
    /// files chosen by the object's path, while content and sidecar are renamed into place.
    /// </summary>
    private static async Task<FileStream> AcquireCommitLockAsync(string contentPath, CancellationToken cancellationToken)
    {
        var stripe = (uint)StringComparer.Ordinal.GetHashCode(contentPath) % LockStripes;
        var directory = Path.Combine(Root, ".infrar", "locks");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{stripe:D2}.lock");
        for (var delay = 1; ; delay = Math.Min(delay * 2, 50))
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private sealed record Target(string Key, string ContentPath, string SidecarPath);
}
