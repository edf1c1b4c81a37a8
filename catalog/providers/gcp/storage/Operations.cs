namespace Infrar.Catalog.Gcp;

/// <summary>
/// Google Cloud Storage's code for each operation of <c>Infrar.Bucket</c>, with the same signature as the method it implements.
/// The generator lifts each body into the interceptor of the calls it rewrites, after checking the keys, and wraps it
/// in GoogleCloudStorage.Error unless it is an iterator.
/// </summary>
internal static class Operations
{
    [global::Infrar.Internal.InfrarOperation("upload_stream")]
    public static async global::System.Threading.Tasks.Task UploadAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.IO.Stream content,
        global::Infrar.UploadOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        await using var body = await global::Infrar.Internal.UploadContent.FromAsync(content, cancellationToken).ConfigureAwait(false);
        await GoogleCloudStorage.Client.UploadObjectAsync(GoogleCloudStorage.NewObject(bucket, key, options), body, GoogleCloudStorage.NewUpload(options), cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("upload_bytes")]
    public static async global::System.Threading.Tasks.Task UploadAsync(
        this global::Infrar.Bucket bucket,
        string key,
        byte[] content,
        global::Infrar.UploadOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        var body = new global::System.IO.MemoryStream(content, writable: false);
        await GoogleCloudStorage.Client.UploadObjectAsync(GoogleCloudStorage.NewObject(bucket, key, options), body, GoogleCloudStorage.NewUpload(options), cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("upload_file")]
    public static async global::System.Threading.Tasks.Task UploadFileAsync(
        this global::Infrar.Bucket bucket,
        string key,
        string path,
        global::Infrar.UploadOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        await using var file = global::System.IO.File.OpenRead(path);
        await GoogleCloudStorage.Client.UploadObjectAsync(GoogleCloudStorage.NewObject(bucket, key, options), file, GoogleCloudStorage.NewUpload(options), cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("download_stream")]
    public static async global::System.Threading.Tasks.Task DownloadAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.IO.Stream destination,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        await GoogleCloudStorage.Client.DownloadObjectAsync(bucket.PhysicalName, key, destination, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("download_bytes")]
    public static async global::System.Threading.Tasks.Task<byte[]> DownloadBytesAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        using var content = new global::System.IO.MemoryStream();
        await GoogleCloudStorage.Client.DownloadObjectAsync(bucket.PhysicalName, key, content, cancellationToken: cancellationToken).ConfigureAwait(false);
        return content.ToArray();
    }

    [global::Infrar.Internal.InfrarOperation("download_file")]
    public static async global::System.Threading.Tasks.Task DownloadFileAsync(
        this global::Infrar.Bucket bucket,
        string key,
        string path,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        await global::Infrar.Internal.AtomicFile.WriteAsync(path, file => GoogleCloudStorage.Client.DownloadObjectAsync(bucket.PhysicalName, key, file, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("get_info")]
    public static async global::System.Threading.Tasks.Task<global::Infrar.ObjectInfo> GetInfoAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        var resource = await GoogleCloudStorage.Client.GetObjectAsync(bucket.PhysicalName, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        return GoogleCloudStorage.ToObjectInfo(key, resource);
    }

    [global::Infrar.Internal.InfrarOperation("exists")]
    public static async global::System.Threading.Tasks.Task<bool> ExistsAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        try
        {
            await GoogleCloudStorage.Client.GetObjectAsync(bucket.PhysicalName, key, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (global::Google.GoogleApiException e) when (GoogleCloudStorage.IsMissingObject(e))
        {
            return false;
        }
    }

    [global::Infrar.Internal.InfrarOperation("list")]
    public static async global::System.Collections.Generic.IAsyncEnumerable<global::Infrar.ListEntry> ListAsync(
        this global::Infrar.Bucket bucket,
        string? prefix = null,
        global::Infrar.ListOptions? options = null,
        [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)
    {
        var request = new global::Google.Cloud.Storage.V1.ListObjectsOptions { Delimiter = options?.Delimiter };
        await using var pages = GoogleCloudStorage.Client.ListObjectsAsync(bucket.PhysicalName, prefix, request).AsRawResponses().GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await pages.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (global::Google.GoogleApiException e)
            {
                throw GoogleCloudStorage.Error(e, bucket, null);
            }

            foreach (var entry in GoogleCloudStorage.Entries(pages.Current))
            {
                yield return entry;
            }
        }
    }

    [global::Infrar.Internal.InfrarOperation("delete")]
    public static async global::System.Threading.Tasks.Task DeleteAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        try
        {
            await GoogleCloudStorage.Client.DeleteObjectAsync(bucket.PhysicalName, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (global::Google.GoogleApiException e) when (GoogleCloudStorage.IsMissingObject(e))
        {
        }
    }

    [global::Infrar.Internal.InfrarOperation("copy")]
    public static async global::System.Threading.Tasks.Task CopyAsync(
        this global::Infrar.Bucket bucket,
        string sourceKey,
        string destinationKey,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        await GoogleCloudStorage.Client.CopyObjectAsync(bucket.PhysicalName, sourceKey, bucket.PhysicalName, destinationKey, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("copy_to")]
    public static async global::System.Threading.Tasks.Task CopyToAsync(
        this global::Infrar.Bucket bucket,
        string sourceKey,
        global::Infrar.Bucket destination,
        string destinationKey,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        try
        {
            await GoogleCloudStorage.Client.CopyObjectAsync(bucket.PhysicalName, sourceKey, destination.PhysicalName, destinationKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (global::Google.GoogleApiException e) when (GoogleCloudStorage.IsMissingBucket(e))
        {
            throw await GoogleCloudStorage.MissingBucketAsync(e, bucket, sourceKey, destination, destinationKey, cancellationToken).ConfigureAwait(false);
        }
    }

    [global::Infrar.Internal.InfrarOperation("signed_read_url")]
    public static async global::System.Threading.Tasks.Task<global::System.Uri> GetDownloadUrlAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.TimeSpan expiresIn,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        return await GoogleCloudStorage.SignAsync(bucket, key, global::System.Net.Http.HttpMethod.Get, expiresIn, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("signed_write_url")]
    public static async global::System.Threading.Tasks.Task<global::System.Uri> GetUploadUrlAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.TimeSpan expiresIn,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        return await GoogleCloudStorage.SignAsync(bucket, key, global::System.Net.Http.HttpMethod.Put, expiresIn, cancellationToken).ConfigureAwait(false);
    }
}
