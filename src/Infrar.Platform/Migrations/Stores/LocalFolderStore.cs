using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Infrar.Internal;

namespace Infrar.Platform.Migrations.Stores;

/// <summary>
/// A local environment's bucket: a folder under the environment's root, read and written through Infrar.Sdk's own
/// local provider, so content type, metadata and the commit protocol are the app's. The local provider reports no
/// hash, so a write is checked by reading the object back.
/// </summary>
internal sealed class LocalFolderStore(string root, string folder) : ObjectStore
{
    private readonly Bucket _bucket = LocalBuckets.At(root, folder);

    public override string Description => $"local:{Path.Combine(root, folder)}";

    /// <summary>
    /// The bucket named by a local deployment's output (the bucket's folder), which must be a folder directly under the
    /// environment's root: an output is written by whoever submitted the infrastructure, and must not point the
    /// service's copy at any other folder on its machine.
    /// </summary>
    public static LocalFolderStore Create(string root, string outputFolder)
    {
        var full = Path.GetFullPath(outputFolder, root);
        var name = Path.GetFileName(full);
        if (!string.Equals(Path.GetDirectoryName(full), Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal) ||
            name.Length == 0 || name.StartsWith('.'))
        {
            throw new MigrationInputException($"the bucket folder '{outputFolder}' is not a folder directly under the environment's root {root}; the copy reads and writes only there");
        }

        if (new DirectoryInfo(full) is { Exists: true, LinkTarget: not null })
        {
            throw new MigrationInputException($"the bucket folder '{outputFolder}' is a symbolic link; the copy does not follow it");
        }

        return new LocalFolderStore(root, name);
    }

    public override async IAsyncEnumerable<ListedObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in _bucket.ListAsync(cancellationToken: cancellationToken))
        {
            var modified = entry.LastModified ?? default;
            yield return new ListedObject(entry.Key, entry.Size, entry.ETag ?? $"\"{modified.UtcTicks:x}-{entry.Size:x}\"", modified);
        }
    }

    public override async Task<OpenedObject> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var info = await _bucket.GetInfoAsync(key, cancellationToken);
        var pushed = PushedContent.Start((stream, token) => _bucket.DownloadAsync(key, stream, token), cancellationToken);
        return new OpenedObject(new ObjectFacts(info.Size, ObjectFacts.ContentTypeOf(info.ContentType), info.Metadata, null), pushed.Content, pushed);
    }

    public override async Task<ObjectFacts?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var info = await _bucket.GetInfoAsync(key, cancellationToken);
            return new ObjectFacts(info.Size, ObjectFacts.ContentTypeOf(info.ContentType), info.Metadata, null);
        }
        catch (ObjectNotFoundException)
        {
            return null;
        }
    }

    public override async Task<WrittenObject> WriteAsync(string key, Stream content, ObjectFacts facts, CancellationToken cancellationToken)
    {
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        await using (var sized = new SizedStream(content, facts.Size, whole))
        {
            await _bucket.UploadAsync(key, sized, new UploadOptions { ContentType = facts.ContentType, Metadata = facts.Metadata }, cancellationToken);
            await sized.EnsureWholeAsync(cancellationToken);
        }

        var md5 = Convert.ToBase64String(whole.GetHashAndReset());
        var reread = await HashAsync(key, cancellationToken);
        if (reread != md5)
        {
            throw new VerificationException($"'{key}' read back from {Description} has MD5 {reread} where the bytes written give {md5}");
        }

        return new WrittenObject(md5, "read back");
    }
}
