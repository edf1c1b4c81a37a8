using Infrar.Internal;
using Infrar.Local;

namespace Infrar;

/// <summary>
/// A bucket of objects. Declare one with <see cref="Storage.Bucket"/>.
/// </summary>
/// <remarks>
/// With <c>InfrarProvider=local</c> (the default) these methods store objects on the file system. With a cloud
/// provider, Infrar rewrites each call at compile time into a direct call on that provider's own SDK, so none of
/// these bodies runs; one that does, in an app built for a cloud, throws <see cref="CallNotRewrittenException"/>.
/// Every provider behaves alike: a key Infrar does not accept is an <see cref="ArgumentException"/>, a missing object
/// <see cref="ObjectNotFoundException"/>, a missing bucket <see cref="BucketNotFoundException"/>, each from the task.
/// </remarks>
public sealed class Bucket
{
    internal Bucket(string name, string physicalName, BucketOptions options, string? localRoot = null)
    {
        Name = name;
        PhysicalName = physicalName;
        Options = options;
        LocalRoot = localRoot;
    }

    /// <summary>
    /// The folder holding this bucket's folder on the local provider, when not <c>INFRAR_LOCAL_ROOT</c>: the platform
    /// reads and writes several local environments' buckets in one process when it migrates them.
    /// </summary>
    internal string? LocalRoot { get; }

    /// <summary>The logical name the code declared.</summary>
    public string Name { get; }

    /// <summary>The provider's name for the bucket: <c>INFRAR_BUCKET_&lt;NAME&gt;</c>, or the logical name.</summary>
    public string PhysicalName { get; }

    /// <summary>The options the bucket was declared with.</summary>
    public BucketOptions Options { get; }

    /// <summary>Writes an object from a stream, replacing any object with that key unless <see cref="UploadOptions.IfNotExists"/> is set.</summary>
    [InfrarOperation("upload_stream")]
    public Task UploadAsync(string key, Stream content, UploadOptions? options = null, CancellationToken cancellationToken = default) =>
        LocalObjectStore.UploadAsync(this, key, content, options, cancellationToken);

    /// <summary>Writes an object from bytes.</summary>
    [InfrarOperation("upload_bytes")]
    public Task UploadAsync(string key, byte[] content, UploadOptions? options = null, CancellationToken cancellationToken = default) =>
        LocalObjectStore.UploadAsync(this, key, new MemoryStream(content, writable: false), options, cancellationToken);

    /// <summary>Writes an object from a file.</summary>
    [InfrarOperation("upload_file")]
    public Task UploadFileAsync(string key, string path, UploadOptions? options = null, CancellationToken cancellationToken = default) =>
        LocalObjectStore.UploadFileAsync(this, key, path, options, cancellationToken);

    /// <summary>Copies an object's content into <paramref name="destination"/>.</summary>
    [InfrarOperation("download_stream")]
    public Task DownloadAsync(string key, Stream destination, CancellationToken cancellationToken = default) =>
        LocalObjectStore.DownloadAsync(this, key, destination, cancellationToken);

    /// <summary>Reads an object's content into memory.</summary>
    [InfrarOperation("download_bytes")]
    public Task<byte[]> DownloadBytesAsync(string key, CancellationToken cancellationToken = default) =>
        LocalObjectStore.DownloadBytesAsync(this, key, cancellationToken);

    /// <summary>Writes an object's content to a file; the file appears whole or not at all.</summary>
    [InfrarOperation("download_file")]
    public Task DownloadFileAsync(string key, string path, CancellationToken cancellationToken = default) =>
        LocalObjectStore.DownloadFileAsync(this, key, path, cancellationToken);

    /// <summary>Reads an object's size, content type, ETag, date and metadata.</summary>
    [InfrarOperation("get_info")]
    public Task<ObjectInfo> GetInfoAsync(string key, CancellationToken cancellationToken = default) =>
        LocalObjectStore.GetInfoAsync(this, key, cancellationToken);

    /// <summary>Tells whether an object exists.</summary>
    [InfrarOperation("exists")]
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        LocalObjectStore.ExistsAsync(this, key, cancellationToken);

    /// <summary>Lists objects whose keys start with <paramref name="prefix"/>, in key order, fetching pages as they are consumed.</summary>
    [InfrarOperation("list")]
    public IAsyncEnumerable<ListEntry> ListAsync(string? prefix = null, ListOptions? options = null, CancellationToken cancellationToken = default) =>
        LocalObjectStore.ListAsync(this, prefix, options, cancellationToken);

    /// <summary>Deletes an object. Deleting an object that does not exist succeeds.</summary>
    [InfrarOperation("delete")]
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        LocalObjectStore.DeleteAsync(this, key, cancellationToken);

    /// <summary>Copies an object within this bucket, with its content type and metadata.</summary>
    [InfrarOperation("copy")]
    public Task CopyAsync(string sourceKey, string destinationKey, CancellationToken cancellationToken = default) =>
        LocalObjectStore.CopyAsync(this, sourceKey, this, destinationKey, cancellationToken);

    /// <summary>Copies an object into another bucket, with its content type and metadata.</summary>
    [InfrarOperation("copy_to")]
    public Task CopyToAsync(string sourceKey, Bucket destination, string destinationKey, CancellationToken cancellationToken = default) =>
        LocalObjectStore.CopyAsync(this, sourceKey, destination, destinationKey, cancellationToken);

    /// <summary>Creates a URL that lets anyone holding it read the object with an HTTP GET until it expires.</summary>
    /// <remarks>Locally this is a <c>file:</c> URL of the object's content and does not expire.</remarks>
    [InfrarOperation("signed_read_url")]
    public Task<Uri> GetDownloadUrlAsync(string key, TimeSpan expiresIn, CancellationToken cancellationToken = default) =>
        LocalObjectStore.GetSignedUrlAsync(this, key, expiresIn, "Bucket.GetDownloadUrlAsync", cancellationToken);

    /// <summary>Creates a URL that lets anyone holding it write the object with an HTTP PUT until it expires.</summary>
    /// <remarks>Locally this is a <c>file:</c> URL of where the content is stored and does not expire.</remarks>
    [InfrarOperation("signed_write_url")]
    public Task<Uri> GetUploadUrlAsync(string key, TimeSpan expiresIn, CancellationToken cancellationToken = default) =>
        LocalObjectStore.GetSignedUrlAsync(this, key, expiresIn, "Bucket.GetUploadUrlAsync", cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => Name == PhysicalName ? Name : $"{Name} ({PhysicalName})";
}
