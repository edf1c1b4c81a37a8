using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Infrar.Internal;

namespace Infrar.Local;

/// <summary>
/// The local provider: each bucket is a folder under <see cref="Root"/> and each object a file at its key.
/// </summary>
/// <remarks>
/// Layout under the root: <c>&lt;bucket&gt;/&lt;key&gt;</c> holds content, <c>.infrar/meta/&lt;bucket&gt;/</c> the sidecars (by
/// a hash of the key), <c>.infrar/tmp</c> writes in progress and <c>.infrar/locks</c> the commit locks. A write is flushed
/// to disk in a temporary file, its sidecar (describing the new write and the one before) is renamed into place, then
/// the content: readers see an object whole or not at all, and a crash at any point leaves the old object or the new
/// one, each with its own content type and metadata. Every operation behaves as the cloud providers do
/// (docs: the conformance suite): a missing bucket is <see cref="BucketNotFoundException"/>, a missing object
/// <see cref="ObjectNotFoundException"/>, a bad key an <see cref="ArgumentException"/>, all thrown from the task.
/// </remarks>
internal static class LocalObjectStore
{
    internal const string Provider = "local";
    private const string DefaultContentType = ContentTypes.Unknown;
    private const int LockStripes = 256;

    /// <summary>The longest file or folder name most file systems take, in UTF-8 bytes.</summary>
    private const int MaxSegmentBytes = 255;

    private static readonly EnumerationOptions ListingOptions = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        IgnoreInaccessible = true,
    };

    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        var configured = Environment.GetEnvironmentVariable("INFRAR_LOCAL_ROOT");
        return Path.GetFullPath(string.IsNullOrEmpty(configured)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "infrar", "storage")
            : configured);
    });

    /// <summary>The roots whose abandoned writes this process has removed (once each, at its first write there).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> LeftoversRemoved = new(StringComparer.Ordinal);

    /// <summary>The folder holding every local bucket: <c>INFRAR_LOCAL_ROOT</c>, or <c>infrar/storage</c> in the user's local application data.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>The root a bucket's folder is in: its own when it was given one (the platform's migrations), else <see cref="Root"/>.</summary>
    private static string RootOf(Bucket bucket) => bucket.LocalRoot ?? Root;

    public static async Task UploadAsync(Bucket bucket, string key, Stream content, UploadOptions? options, CancellationToken cancellationToken)
    {
        LocalOnly.Ensure(bucket.ToString(), "Bucket.UploadAsync");
        ArgumentNullException.ThrowIfNull(content);
        Keys.Validate(key, nameof(key));
        await GuardAsync(bucket, key, async () =>
        {
            var target = Locate(bucket, key, writing: true);
            using var temporary = TemporaryFile.Create(RootOf(bucket));
            var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize(content));
            try
            {
                int read;
                while ((read = await ReadCallerAsync(content, buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await temporary.Stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            var metadata = options?.Metadata is { } given ? new Dictionary<string, string>(given) : [];
            await CommitAsync(bucket, target, temporary, ContentTypes.For(key, options?.ContentType), metadata, options?.IfNotExists ?? false, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public static async Task UploadFileAsync(Bucket bucket, string key, string path, UploadOptions? options, CancellationToken cancellationToken)
    {
        LocalOnly.Ensure(bucket.ToString(), "Bucket.UploadFileAsync");
        await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await UploadAsync(bucket, key, source, options, cancellationToken).ConfigureAwait(false);
    }

    public static async Task DownloadAsync(Bucket bucket, string key, Stream destination, CancellationToken cancellationToken)
    {
        LocalOnly.Ensure(bucket.ToString(), "Bucket.DownloadAsync");
        ArgumentNullException.ThrowIfNull(destination);
        await GuardAsync(bucket, key, async () =>
        {
            await using var content = OpenRead(bucket, key);
            await content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public static async Task<byte[]> DownloadBytesAsync(Bucket bucket, string key, CancellationToken cancellationToken)
    {
        LocalOnly.Ensure(bucket.ToString(), "Bucket.DownloadBytesAsync");
        byte[] bytes = [];
        await GuardAsync(bucket, key, async () =>
        {
            await using var content = OpenRead(bucket, key);
            bytes = new byte[content.Length];
            await content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return bytes;
    }

    public static async Task DownloadFileAsync(Bucket bucket, string key, string path, CancellationToken cancellationToken)
    {
        LocalOnly.Ensure(bucket.ToString(), "Bucket.DownloadFileAsync");
        await GuardAsync(bucket, key, async () =>
        {
            // Opened first: a missing object leaves no file and no folder behind.
            await using var content = OpenRead(bucket, key);
            await AtomicFile.WriteAsync(path, file => content.CopyToAsync(file, cancellationToken), cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    public static Task<ObjectInfo> GetInfoAsync(Bucket bucket, string key, CancellationToken cancellationToken) =>
        Run(bucket, key, "Bucket.GetInfoAsync", cancellationToken, () =>
        {
            var (file, version) = ReadDescribed(bucket, Locate(bucket, key, writing: false));
            return new ObjectInfo(
                key,
                file.Length,
                version?.ContentType ?? DefaultContentType,
                version?.ETag ?? ETagOf(file.LastWriteTimeUtc.Ticks, file.Length),
                new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero),
                version?.Metadata ?? []);
        });

    public static Task<bool> ExistsAsync(Bucket bucket, string key, CancellationToken cancellationToken) =>
        Run(bucket, key, "Bucket.ExistsAsync", cancellationToken, () => File.Exists(Locate(bucket, key, writing: false).ContentPath));

    public static async IAsyncEnumerable<ListEntry> ListAsync(Bucket bucket, string? prefix, ListOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LocalOnly.Ensure(bucket.ToString(), "Bucket.ListAsync");
        await Task.CompletedTask.ConfigureAwait(false);
        var directory = BucketDirectory(bucket, writing: false);
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
        if (!Directory.Exists(start) || (start != directory && !start.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal)) || HasLink(directory, start))
        {
            yield break;
        }

        // Links are skipped: a link planted in a bucket does not make another folder's files part of it.
        var keys = Directory.EnumerateFiles(start, "*", ListingOptions)
            .Select(path => Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(key => key.StartsWith(prefix, StringComparison.Ordinal) && ObjectKeys.FindProblem(key) is null)
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

            var version = Sidecar.TryRead(Sidecar.PathFor(RootOf(bucket), bucket.PhysicalName, key), key)?.Describing(file);
            yield return ListEntry.Object(key, file.Length, version?.ETag, new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
        }
    }

    public static async Task DeleteAsync(Bucket bucket, string key, CancellationToken cancellationToken)
    {
        LocalOnly.Ensure(bucket.ToString(), "Bucket.DeleteAsync");
        Keys.Validate(key, nameof(key));
        await GuardAsync(bucket, key, async () =>
        {
            var target = Locate(bucket, key, writing: false);
            await using (await AcquireCommitLockAsync(RootOf(bucket), target.ContentPath, cancellationToken).ConfigureAwait(false))
            {
                // Deleting what is not there succeeds, as on every provider; its folder may not exist either.
                if (File.Exists(target.ContentPath))
                {
                    File.Delete(target.ContentPath);
                }

                if (File.Exists(target.SidecarPath))
                {
                    File.Delete(target.SidecarPath);
                }
            }
        }).ConfigureAwait(false);
    }

    public static async Task CopyAsync(Bucket sourceBucket, string sourceKey, Bucket destinationBucket, string destinationKey, CancellationToken cancellationToken)
    {
        LocalOnly.Ensure(sourceBucket.ToString(), sourceBucket == destinationBucket ? "Bucket.CopyAsync" : "Bucket.CopyToAsync");
        Keys.Validate(sourceKey, nameof(sourceKey));
        Keys.Validate(destinationKey, nameof(destinationKey));
        var (file, version) = ReadDescribed(sourceBucket, Locate(sourceBucket, sourceKey, writing: false, parameterName: nameof(sourceKey)));
        await GuardAsync(destinationBucket, destinationKey, async () =>
        {
            var target = Locate(destinationBucket, destinationKey, writing: true, parameterName: nameof(destinationKey));
            using var temporary = TemporaryFile.Create(RootOf(destinationBucket));
            await using (var from = OpenRead(sourceBucket, sourceKey))
            {
                await from.CopyToAsync(temporary.Stream, cancellationToken).ConfigureAwait(false);
            }

            await CommitAsync(
                destinationBucket,
                target,
                temporary,
                version?.ContentType ?? DefaultContentType,
                version?.Metadata is { } metadata ? new Dictionary<string, string>(metadata) : [],
                ifNotExists: false,
                cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// A <c>file:</c> URL of where the object's content is: every character of the path escaped, so the URL names this
    /// file and no other. Nothing is created.
    /// </summary>
    public static Task<Uri> GetSignedUrlAsync(Bucket bucket, string key, TimeSpan expiresIn, string method, CancellationToken cancellationToken) =>
        Run(bucket, key, method, cancellationToken, () =>
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiresIn, TimeSpan.Zero);
            var path = Locate(bucket, key, writing: false).ContentPath;
            var segments = path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries)
                .Select((segment, i) => OperatingSystem.IsWindows() && i == 0 ? segment : Uri.EscapeDataString(segment));
            return new Uri("file:///" + string.Join('/', segments));
        });

    /// <summary>A quick operation as a task: whatever it throws, Infrar's exceptions and argument errors alike, comes out of the task.</summary>
    private static Task<T> Run<T>(Bucket bucket, string key, string method, CancellationToken cancellationToken, Func<T> operation)
    {
        try
        {
            LocalOnly.Ensure(bucket.ToString(), method);
            cancellationToken.ThrowIfCancellationRequested();
            var result = default(T)!;
            GuardAsync(bucket, key, () =>
            {
                result = operation();
                return Task.CompletedTask;
            }).GetAwaiter().GetResult();
            return Task.FromResult(result);
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private static async Task CommitAsync(Bucket bucket, Target target, TemporaryFile temporaryContent, string contentType, Dictionary<string, string> metadata, bool ifNotExists, CancellationToken cancellationToken)
    {
        await temporaryContent.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        var size = temporaryContent.Stream.Length;
        using var temporarySidecar = TemporaryFile.Create(RootOf(bucket));
        Directory.CreateDirectory(Path.GetDirectoryName(target.SidecarPath)!);
        await using (await AcquireCommitLockAsync(RootOf(bucket), target.ContentPath, cancellationToken).ConfigureAwait(false))
        {
            if (Directory.Exists(target.ContentPath))
            {
                throw KeyConflict(bucket, target.Key, "other objects' keys continue it with '/'");
            }

            var current = new FileInfo(target.ContentPath);
            if (ifNotExists && current.Exists)
            {
                throw new ObjectAlreadyExistsException(Provider, bucket.PhysicalName, target.Key, "ObjectExists");
            }

            // A write time unique to this write lets a reader tell which version of the sidecar the content is.
            var previous = current.Exists ? Sidecar.TryRead(target.SidecarPath, target.Key)?.Describing(current) : null;
            var now = DateTime.UtcNow.Ticks;
            var ticks = now - (now % TimeSpan.TicksPerMillisecond) + Random.Shared.Next(1, (int)TimeSpan.TicksPerMillisecond);
            if (ticks == previous?.LastWriteTicks)
            {
                ticks++;
            }

            // Set before the content's flush, so that the time is on the disk with the content.
            File.SetLastWriteTimeUtc(temporaryContent.Path, new DateTime(ticks, DateTimeKind.Utc));
            var version = new SidecarVersion(contentType, metadata, size, ticks, ETagOf(ticks, size));
            var sidecar = new Sidecar(target.Key, previous is null ? [version] : [version, previous]);

            // Both temporary files to the disk at once: the two flushes wait for the disk together, not one after the other.
            var contentFlushed = Task.Run(() => temporaryContent.Stream.Flush(flushToDisk: true), CancellationToken.None);
            try
            {
                await temporarySidecar.Stream.WriteAsync(sidecar.ToUtf8(), cancellationToken).ConfigureAwait(false);
                temporarySidecar.Stream.Flush(flushToDisk: true);
            }
            finally
            {
                // Never rename, or leave the lock, while the content is still being flushed.
                await contentFlushed.ConfigureAwait(false);
            }

            // The sidecar first: until the content's rename it still describes the old content too.
            temporarySidecar.MoveTo(target.SidecarPath, overwrite: true);
            Durable.FlushDirectory(Path.GetDirectoryName(target.SidecarPath)!);
            try
            {
                temporaryContent.MoveTo(target.ContentPath, overwrite: !ifNotExists);
            }
            catch (IOException e) when (ifNotExists && File.Exists(target.ContentPath))
            {
                throw new ObjectAlreadyExistsException(Provider, bucket.PhysicalName, target.Key, "ObjectExists", e);
            }

            Durable.FlushDirectory(Path.GetDirectoryName(target.ContentPath)!);
        }
    }

    /// <summary>The content file and the sidecar version describing it (null when none does, as for a file put there by hand).</summary>
    private static (FileInfo File, SidecarVersion? Version) ReadDescribed(Bucket bucket, Target target)
    {
        // The content first: a commit renames the sidecar before the content, so the sidecar read after is never older.
        var file = new FileInfo(target.ContentPath);
        if (!file.Exists)
        {
            throw new ObjectNotFoundException(Provider, bucket.PhysicalName, target.Key, "NoSuchKey");
        }

        return (file, Sidecar.TryRead(target.SidecarPath, target.Key)?.Describing(file));
    }

    /// <summary>
    /// A copy buffer as big as the content when its length is known, up to 1 MiB (pooled): an object up to that size is
    /// read and written in one call each. Thirteen 80 KiB writes made a 1 MiB put a quarter slower.
    /// </summary>
    private static int CopyBufferSize(Stream content) =>
        content.CanSeek ? (int)Math.Clamp(content.Length - content.Position, 1, MaxCopyBuffer) : 81920;

    private const int MaxCopyBuffer = 1 << 20;

    private static FileStream OpenRead(Bucket bucket, string key)
    {
        var target = Locate(bucket, key, writing: false);
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

    /// <summary>
    /// Where a key's content and sidecar live, after checking the key (as every provider does) and what only the local
    /// provider needs: names short enough for the file system, and no link on the way that leads out of the bucket.
    /// A write creates the bucket's folder and the key's folders; a read never creates anything.
    /// </summary>
    private static Target Locate(Bucket bucket, string key, bool writing, string parameterName = "key")
    {
        Keys.Validate(key, parameterName);
        if (key.Split('/').FirstOrDefault(segment => Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes) is { } longSegment)
        {
            throw new StorageException(
                $"Object key '{key}' has a part longer than {MaxSegmentBytes} bytes ('{longSegment[..Math.Min(longSegment.Length, 40)]}…'), which a folder or file name cannot hold (local).",
                Provider, bucket.PhysicalName, key, "KeyTooLong");
        }

        var directory = BucketDirectory(bucket, writing);
        var contentPath = ObjectKeys.ToPath(directory, key, parameterName);
        if (HasLink(directory, contentPath))
        {
            throw new StorageException($"Object key '{key}' leads through a symbolic link in bucket '{bucket.PhysicalName}', which the local provider does not follow (local).", Provider, bucket.PhysicalName, key, "SymbolicLink");
        }

        if (writing)
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

        return new Target(key, contentPath, Sidecar.PathFor(RootOf(bucket), bucket.PhysicalName, key));
    }

    /// <summary>Whether any existing folder or file from below the bucket's folder down to <paramref name="path"/> is a link.</summary>
    private static bool HasLink(string bucketDirectory, string path)
    {
        for (var current = path; current.Length > bucketDirectory.Length; current = Path.GetDirectoryName(current)!)
        {
            var info = new FileInfo(current);
            if (info.Exists || Directory.Exists(current))
            {
                if (info.LinkTarget is not null)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string BucketDirectory(Bucket bucket, bool writing)
    {
        var name = bucket.PhysicalName;
        if (name.Length == 0 || name[0] == '.' || name.IndexOfAny(['/', '\\', '\0', ':']) >= 0 || Encoding.UTF8.GetByteCount(name) > MaxSegmentBytes)
        {
            throw new StorageException($"Bucket name '{name}' cannot be a local folder: it must not start with '.' or contain '/', '\\', ':' or NUL (local).", Provider, name, null, "InvalidBucketName");
        }

        var root = RootOf(bucket);
        var directory = Path.Combine(root, name);
        if (writing)
        {
            // The local provider's infrastructure is a folder: a first write makes it, as applying its OpenTofu does.
            LeftoversRemoved.GetOrAdd(root, RemoveAbandonedWrites);
            Directory.CreateDirectory(directory);
        }
        else if (!Directory.Exists(directory))
        {
            throw new BucketNotFoundException(Provider, name, null, "NoSuchBucket");
        }

        return directory;
    }

    /// <summary>
    /// Runs a file operation, so that whatever the file system says comes out as one of Infrar's exceptions: denied
    /// access as <see cref="AccessDeniedException"/>, anything else as a <see cref="StorageException"/> with its reason.
    /// What the caller's own stream throws comes out as it was thrown.
    /// </summary>
    private static async Task GuardAsync(Bucket bucket, string key, Func<Task> operation)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (CallerStreamException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException!);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new AccessDeniedException(Provider, bucket.PhysicalName, key, "AccessDenied", e);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new StorageException($"Object '{key}' in bucket '{bucket.PhysicalName}' could not be read or written: {e.Message} (local).", Provider, bucket.PhysicalName, key, "IOError", e);
        }
    }

    private static async ValueTask<int> ReadCallerAsync(Stream content, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new CallerStreamException(e);
        }
    }

    /// <summary>Carries an exception of the caller's stream past <see cref="GuardAsync"/>, which would otherwise take it for the file system's.</summary>
    private sealed class CallerStreamException(Exception inner) : Exception(inner.Message, inner);

    /// <summary>
    /// An object's ETag: its write time (unique to each write of the key) and size. Like Azure's and Cloud Storage's it
    /// changes with every write, the same bytes written again included, and says nothing about the content; hashing
    /// the content for it cost more than writing 1 MiB did. Objects written before keep the MD5 ETag recorded then.
    /// </summary>
    private static string ETagOf(long lastWriteTicks, long size) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{lastWriteTicks:x}-{size:x}\"");

    private static StorageException KeyConflict(Bucket bucket, string key, string why, Exception? inner = null) =>
        new($"Object key '{key}' conflicts with bucket '{bucket.PhysicalName}': {why}, which a folder cannot hold (local).", Provider, bucket.PhysicalName, key, "KeyConflict", inner);

    /// <summary>
    /// Holds an exclusive lock (an OS file lock, so it also holds across processes) on one of a fixed set of lock
    /// files, chosen by a hash of the object's path that every process computes alike.
    /// </summary>
    private static async Task<FileStream> AcquireCommitLockAsync(string root, string contentPath, CancellationToken cancellationToken)
    {
        var stripe = SHA256.HashData(Encoding.UTF8.GetBytes(contentPath))[0] % LockStripes;
        var directory = Path.Combine(root, ".infrar", "locks");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{stripe:x2}.lock");
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

    /// <summary>
    /// Deletes temporary files whose writer is gone: writes a crash interrupted. Each is named after the process that
    /// writes it (its id and start time, so a reused id is not mistaken for it).
    /// </summary>
    private static bool RemoveAbandonedWrites(string root)
    {
        var directory = Path.Combine(root, ".infrar", "tmp");
        if (!Directory.Exists(directory))
        {
            return true;
        }

        foreach (var file in Directory.EnumerateFiles(directory))
        {
            var parts = Path.GetFileName(file).Split('-');
            if (parts.Length != 3 || !int.TryParse(parts[0], out var pid) || !long.TryParse(parts[1], out var started) || IsRunning(pid, started))
            {
                continue;
            }

            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not ours to remove.
            }
        }

        return true;
    }

    private static bool IsRunning(int pid, long startTicks)
    {
        try
        {
            // Each process derives start times from the boot time it measures itself, so two readings differ slightly.
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return Math.Abs(process.StartTime.ToUniversalTime().Ticks - startTicks) < TimeSpan.TicksPerSecond * 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private sealed record Target(string Key, string ContentPath, string SidecarPath);

    /// <summary>A write in progress under .infrar/tmp, held open until it is renamed into place or given up.</summary>
    private sealed class TemporaryFile : IDisposable
    {
        private bool _moved;

        private TemporaryFile(string path)
        {
            Path = path;
            Stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, useAsync: true);
        }

        public string Path { get; }

        public FileStream Stream { get; }

        private static readonly Lazy<string> Owner = new(() =>
        {
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            return $"{Environment.ProcessId}-{self.StartTime.ToUniversalTime().Ticks}";
        });

        /// <summary>A new temporary file named after this process, so that a later process can tell it was abandoned.</summary>
        public static TemporaryFile Create(string root)
        {
            var directory = System.IO.Path.Combine(root, ".infrar", "tmp");
            Directory.CreateDirectory(directory);
            return new TemporaryFile(System.IO.Path.Combine(directory, $"{Owner.Value}-{Guid.NewGuid():N}"));
        }

        /// <summary>Closes the file (readers of the new object must not meet the writer's lock) and renames it into place.</summary>
        public void MoveTo(string destination, bool overwrite)
        {
            Stream.Dispose();
            File.Move(Path, destination, overwrite);
            _moved = true;
        }

        public void Dispose()
        {
            Stream.Dispose();
            if (!_moved)
            {
                File.Delete(Path);
            }
        }
    }
}
