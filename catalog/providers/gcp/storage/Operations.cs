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
        await GoogleCloudStorage.UploadAsync(bucket, key, new global::System.Net.Http.StreamContent(body), options, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("upload_bytes")]
    public static async global::System.Threading.Tasks.Task UploadAsync(
        this global::Infrar.Bucket bucket,
        string key,
        byte[] content,
        global::Infrar.UploadOptions? options = null,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        await GoogleCloudStorage.UploadAsync(bucket, key, new global::System.Net.Http.ByteArrayContent(content), options, cancellationToken).ConfigureAwait(false);
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
        await GoogleCloudStorage.UploadAsync(bucket, key, new global::System.Net.Http.StreamContent(file), options, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("download_stream")]
    public static async global::System.Threading.Tasks.Task DownloadAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.IO.Stream destination,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        using var response = await GoogleCloudStorage.DownloadAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("download_bytes")]
    public static async global::System.Threading.Tasks.Task<byte[]> DownloadBytesAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        using var response = await GoogleCloudStorage.DownloadAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("download_file")]
    public static async global::System.Threading.Tasks.Task DownloadFileAsync(
        this global::Infrar.Bucket bucket,
        string key,
        string path,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        using var response = await GoogleCloudStorage.DownloadAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        await global::Infrar.Internal.AtomicFile.WriteAsync(path, file => response.Content.CopyToAsync(file, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("get_info")]
    public static async global::System.Threading.Tasks.Task<global::Infrar.ObjectInfo> GetInfoAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        using var resource = await GoogleCloudStorage.GetJsonAsync(GoogleCloudStorage.ObjectPath(bucket, key), cancellationToken).ConfigureAwait(false);
        return GoogleCloudStorage.ToObjectInfo(key, resource.RootElement);
    }

    [global::Infrar.Internal.InfrarOperation("exists")]
    public static async global::System.Threading.Tasks.Task<bool> ExistsAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        try
        {
            using var resource = await GoogleCloudStorage.GetJsonAsync(GoogleCloudStorage.ObjectPath(bucket, key) + "?fields=name", cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (GoogleCloudStorage.ApiException e) when (e.Status == 404 && !GoogleCloudStorage.IsMissingBucket(e))
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
        string? pageToken = null;
        do
        {
            var query = "?prefix=" + global::System.Uri.EscapeDataString(prefix ?? "")
                + (options?.Delimiter is { } delimiter ? "&delimiter=" + global::System.Uri.EscapeDataString(delimiter) : "")
                + (pageToken is null ? "" : "&pageToken=" + global::System.Uri.EscapeDataString(pageToken));
            global::System.Collections.Generic.List<global::Infrar.ListEntry> entries;
            try
            {
                using var page = await GoogleCloudStorage.GetJsonAsync($"storage/v1/b/{(global::System.Uri.EscapeDataString(bucket.PhysicalName))}/o{query}", cancellationToken).ConfigureAwait(false);
                entries = GoogleCloudStorage.Entries(page.RootElement);
                pageToken = page.RootElement.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
            }
            catch (GoogleCloudStorage.ApiException e)
            {
                throw GoogleCloudStorage.Error(e, bucket, null);
            }

            foreach (var entry in entries)
            {
                yield return entry;
            }
        }
        while (pageToken is not null);
    }

    [global::Infrar.Internal.InfrarOperation("delete")]
    public static async global::System.Threading.Tasks.Task DeleteAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        try
        {
            var request = new global::System.Net.Http.HttpRequestMessage(global::System.Net.Http.HttpMethod.Delete, new global::System.Uri(GoogleCloudStorage.Endpoint, GoogleCloudStorage.ObjectPath(bucket, key)));
            using var response = await GoogleCloudStorage.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleCloudStorage.ApiException e) when (e.Status == 404 && !GoogleCloudStorage.IsMissingBucket(e))
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
        await GoogleCloudStorage.RewriteAsync(bucket, sourceKey, bucket, destinationKey, cancellationToken).ConfigureAwait(false);
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
            await GoogleCloudStorage.RewriteAsync(bucket, sourceKey, destination, destinationKey, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleCloudStorage.ApiException e) when (e.Status == 404 && GoogleCloudStorage.IsMissingBucket(e))
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
        return await GoogleCloudStorage.SignAsync(bucket, key, "GET", expiresIn, cancellationToken).ConfigureAwait(false);
    }

    [global::Infrar.Internal.InfrarOperation("signed_write_url")]
    public static async global::System.Threading.Tasks.Task<global::System.Uri> GetUploadUrlAsync(
        this global::Infrar.Bucket bucket,
        string key,
        global::System.TimeSpan expiresIn,
        global::System.Threading.CancellationToken cancellationToken = default)
    {
        return await GoogleCloudStorage.SignAsync(bucket, key, "PUT", expiresIn, cancellationToken).ConfigureAwait(false);
    }
}
