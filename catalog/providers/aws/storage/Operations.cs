namespace Infrar.Catalog.Aws;

/// <summary>
/// Amazon S3's code for each operation of <c>Infrar.Bucket</c>, with the same signature as the method it implements.
/// The generator lifts each body into the interceptor of the calls it rewrites, after checking the keys, and wraps it
/// in AmazonS3Storage.Error unless it is an iterator.
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
        var request = AmazonS3Storage.NewPut(bucket, key, options);
        request.InputStream = body;
        await AmazonS3Storage.Client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("upload_bytes")]
    public static async global::System.Threading.Tasks.Task UploadAsync(
        this global::Infrar.Bucket bucket,
        string key,
        byte[] content,
        global::Infrar.UploadOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        var request = AmazonS3Storage.NewPut(bucket, key, options);
        request.InputStream = new global::System.IO.MemoryStream(content, writable: false);
        await AmazonS3Storage.Client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("upload_file")]
    public static async global::System.Threading.Tasks.Task UploadFileAsync(
        this global::Infrar.Bucket bucket,
        string key,
        string path,
        global::Infrar.UploadOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        var request = AmazonS3Storage.NewPut(bucket, key, options);
        request.FilePath = path;
        await AmazonS3Storage.Client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("download_stream")]
    public static async global::System.Threading.Tasks.Task DownloadAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.IO.Stream destination,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        using var response = await AmazonS3Storage.Client.GetObjectAsync(bucket.PhysicalName, key, cancellationToken).ConfigureAwait(false);
        await response.ResponseStream.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("download_bytes")]
    public static async global::System.Threading.Tasks.Task<byte[]> DownloadBytesAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        using var response = await AmazonS3Storage.Client.GetObjectAsync(bucket.PhysicalName, key, cancellationToken).ConfigureAwait(false);
        using var content = new global::System.IO.MemoryStream();
        await response.ResponseStream.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
        return content.ToArray();
    }

    [global::Infrar.Internal.InfrarOperation("download_file")]
    public static async global::System.Threading.Tasks.Task DownloadFileAsync(
        this global::Infrar.Bucket bucket,
        string key,
        string path,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        using var response = await AmazonS3Storage.Client.GetObjectAsync(bucket.PhysicalName, key, cancellationToken).ConfigureAwait(false);
        await global::Infrar.Internal.AtomicFile.WriteAsync(path, file => response.ResponseStream.CopyToAsync(file, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("get_info")]
    public static async global::System.Threading.Tasks.Task<global::Infrar.ObjectInfo> GetInfoAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        global::Amazon.S3.Model.GetObjectMetadataResponse response;
        try
        {
            response = await AmazonS3Storage.Client.GetObjectMetadataAsync(bucket.PhysicalName, key, cancellationToken).ConfigureAwait(false);
        }
        catch (global::Amazon.S3.AmazonS3Exception e) when (e.StatusCode == global::System.Net.HttpStatusCode.NotFound)
        {
            throw await AmazonS3Storage.NotFoundAsync(e, bucket, key, cancellationToken).ConfigureAwait(false);
        }

        return new global::Infrar.ObjectInfo(
            key,
            response.ContentLength,
            response.Headers.ContentType ?? "application/octet-stream",
            response.ETag,
            new global::System.DateTimeOffset((response.LastModified ?? default).ToUniversalTime()),
            AmazonS3Storage.ReadMetadata(response.Metadata));
    }

    [global::Infrar.Internal.InfrarOperation("exists")]
    public static async global::System.Threading.Tasks.Task<bool> ExistsAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        try
        {
            await AmazonS3Storage.Client.GetObjectMetadataAsync(bucket.PhysicalName, key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (global::Amazon.S3.AmazonS3Exception e) when (e.StatusCode == global::System.Net.HttpStatusCode.NotFound)
        {
            if (await AmazonS3Storage.BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            throw new global::Infrar.BucketNotFoundException("aws", bucket.PhysicalName, key, "NoSuchBucket", e);
        }
    }

    [global::Infrar.Internal.InfrarOperation("list")]
    public static async global::System.Collections.Generic.IAsyncEnumerable<global::Infrar.ListEntry> ListAsync(
        this global::Infrar.Bucket bucket,
        string? prefix = null,
        global::Infrar.ListOptions? options = null,
        [global::System.Runtime.CompilerServices.EnumeratorCancellation] global::System.Threading.CancellationToken cancellationToken = default)
    {
        string? continuation = null;
        do
        {
            var request = new global::Amazon.S3.Model.ListObjectsV2Request
            {
                BucketName = bucket.PhysicalName,
                Prefix = prefix,
                Delimiter = options?.Delimiter,
                ContinuationToken = continuation,
            };
            var page = await AmazonS3Storage.ListPageAsync(bucket, request, cancellationToken).ConfigureAwait(false);
            foreach (var entry in AmazonS3Storage.Entries(page))
            {
                yield return entry;
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);
    }

    [global::Infrar.Internal.InfrarOperation("delete")]
    public static async global::System.Threading.Tasks.Task DeleteAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        await AmazonS3Storage.Client.DeleteObjectAsync(bucket.PhysicalName, key, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("copy")]
    public static async global::System.Threading.Tasks.Task CopyAsync(
        this global::Infrar.Bucket bucket,
        string sourceKey,
        string destinationKey,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        await AmazonS3Storage.Client.CopyObjectAsync(bucket.PhysicalName, sourceKey, bucket.PhysicalName, destinationKey, cancellationToken).ConfigureAwait(false);
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
            await AmazonS3Storage.Client.CopyObjectAsync(bucket.PhysicalName, sourceKey, destination.PhysicalName, destinationKey, cancellationToken).ConfigureAwait(false);
        }
        catch (global::Amazon.S3.AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            // S3 does not say which bucket is missing; the source is the one this call may look at.
            throw await AmazonS3Storage.BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false)
                ? new global::Infrar.BucketNotFoundException("aws", destination.PhysicalName, destinationKey, e.ErrorCode, e)
                : new global::Infrar.BucketNotFoundException("aws", bucket.PhysicalName, sourceKey, e.ErrorCode, e);
        }
    }

    [global::Infrar.Internal.InfrarOperation("signed_read_url")]
    public static async global::System.Threading.Tasks.Task<global::System.Uri> GetDownloadUrlAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.TimeSpan expiresIn,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        return await AmazonS3Storage.PresignAsync(bucket, key, global::Amazon.S3.HttpVerb.GET, expiresIn).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("signed_write_url")]
    public static async global::System.Threading.Tasks.Task<global::System.Uri> GetUploadUrlAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.TimeSpan expiresIn,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        return await AmazonS3Storage.PresignAsync(bucket, key, global::Amazon.S3.HttpVerb.PUT, expiresIn).ConfigureAwait(false);
    }
}
