namespace Infrar.Catalog.Azure;

/// <summary>
/// Azure Blob Storage's code for each operation of <c>Infrar.Bucket</c>, with the same signature as the method it implements.
/// The generator lifts each body into the interceptor of the calls it rewrites, after checking the keys, and wraps it
/// in AzureBlobStorage.Error unless it is an iterator.
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
        await AzureBlobStorage.Blob(bucket, key).UploadAsync(body, AzureBlobStorage.NewUpload(key, options), cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("upload_bytes")]
    public static async global::System.Threading.Tasks.Task UploadAsync(
        this global::Infrar.Bucket bucket,
        string key,
        byte[] content,
        global::Infrar.UploadOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        await AzureBlobStorage.Blob(bucket, key).UploadAsync(new global::System.BinaryData(content), AzureBlobStorage.NewUpload(key, options), cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("upload_file")]
    public static async global::System.Threading.Tasks.Task UploadFileAsync(
        this global::Infrar.Bucket bucket,
        string key,
        string path,
        global::Infrar.UploadOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        await AzureBlobStorage.Blob(bucket, key).UploadAsync(path, AzureBlobStorage.NewUpload(key, options), cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("download_stream")]
    public static async global::System.Threading.Tasks.Task DownloadAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.IO.Stream destination,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        await AzureBlobStorage.Blob(bucket, key).DownloadToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("download_bytes")]
    public static async global::System.Threading.Tasks.Task<byte[]> DownloadBytesAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        var response = await AzureBlobStorage.Blob(bucket, key).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        return response.Value.Content.ToArray();
    }

    [global::Infrar.Internal.InfrarOperation("download_file")]
    public static async global::System.Threading.Tasks.Task DownloadFileAsync(
        this global::Infrar.Bucket bucket,
        string key,
        string path,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        // The download starts before the file does: a missing object leaves no file or folder behind.
        var download = await AzureBlobStorage.Blob(bucket, key).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var content = download.Value.Content;
        await global::Infrar.Internal.AtomicFile.WriteAsync(path, file => content.CopyToAsync(file, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("get_info")]
    public static async global::System.Threading.Tasks.Task<global::Infrar.ObjectInfo> GetInfoAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        var properties = (await AzureBlobStorage.Blob(bucket, key).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        return new global::Infrar.ObjectInfo(
            key,
            properties.ContentLength,
            properties.ContentType ?? "application/octet-stream",
            properties.ETag.ToString(),
            properties.LastModified,
            new global::System.Collections.Generic.Dictionary<string, string>(properties.Metadata));
    }

    [global::Infrar.Internal.InfrarOperation("exists")]
    public static async global::System.Threading.Tasks.Task<bool> ExistsAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        // GetProperties, not Exists: Exists answers false for a missing container too.
        try
        {
            await AzureBlobStorage.Blob(bucket, key).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (global::Azure.RequestFailedException e) when (e.ErrorCode == "BlobNotFound")
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
        var container = AzureBlobStorage.Container(bucket);
        await using var pages = container
            .GetBlobsByHierarchyAsync(new global::Azure.Storage.Blobs.Models.GetBlobsByHierarchyOptions { Delimiter = options?.Delimiter, Prefix = prefix }, cancellationToken)
            .AsPages()
            .GetAsyncEnumerator(cancellationToken);
        while (await AzureBlobStorage.NextPageAsync(bucket, pages).ConfigureAwait(false))
        {
            foreach (var item in pages.Current.Values)
            {
                yield return item.IsPrefix
                    ? global::Infrar.ListEntry.Prefix(item.Prefix)
                    : global::Infrar.ListEntry.Object(item.Blob.Name, item.Blob.Properties.ContentLength ?? 0, item.Blob.Properties.ETag?.ToString(), item.Blob.Properties.LastModified);
            }
        }
    }

    [global::Infrar.Internal.InfrarOperation("delete")]
    public static async global::System.Threading.Tasks.Task DeleteAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        // Delete, not DeleteIfExists: DeleteIfExists succeeds on a missing container too.
        try
        {
            await AzureBlobStorage.Blob(bucket, key).DeleteAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (global::Azure.RequestFailedException e) when (e.ErrorCode == "BlobNotFound")
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
        var source = AzureBlobStorage.Blob(bucket, sourceKey);
        var copy = await AzureBlobStorage.Blob(bucket, destinationKey).StartCopyFromUriAsync(source.Uri, new global::Azure.Storage.Blobs.Models.BlobCopyFromUriOptions(), cancellationToken).ConfigureAwait(false);
        await copy.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("copy_to")]
    public static async global::System.Threading.Tasks.Task CopyToAsync(
        this global::Infrar.Bucket bucket,
        string sourceKey,
        global::Infrar.Bucket destination,
        string destinationKey,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        var source = AzureBlobStorage.Blob(bucket, sourceKey);
        try
        {
            var copy = await AzureBlobStorage.Blob(destination, destinationKey).StartCopyFromUriAsync(source.Uri, new global::Azure.Storage.Blobs.Models.BlobCopyFromUriOptions(), cancellationToken).ConfigureAwait(false);
            await copy.WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (global::Azure.RequestFailedException e) when (e.ErrorCode == "ContainerNotFound")
        {
            throw await AzureBlobStorage.MissingContainerAsync(e, bucket, sourceKey, destination, destinationKey, cancellationToken).ConfigureAwait(false);
        }
    }

    [global::Infrar.Internal.InfrarOperation("signed_read_url")]
    public static async global::System.Threading.Tasks.Task<global::System.Uri> GetDownloadUrlAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.TimeSpan expiresIn,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        return await AzureBlobStorage.SignAsync(AzureBlobStorage.Blob(bucket, key), global::Azure.Storage.Sas.BlobSasPermissions.Read, expiresIn, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("signed_write_url")]
    public static async global::System.Threading.Tasks.Task<global::System.Uri> GetUploadUrlAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.TimeSpan expiresIn,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        return await AzureBlobStorage.SignAsync(
            AzureBlobStorage.Blob(bucket, key),
            global::Azure.Storage.Sas.BlobSasPermissions.Create | global::Azure.Storage.Sas.BlobSasPermissions.Write,
            expiresIn,
            cancellationToken).ConfigureAwait(false);
    }
}
