using Google;
using Google.Cloud.Storage.V1;

namespace Infrar.Benchmarks.RuntimeOverhead.Abstraction;

internal sealed class CloudStorageObjectStore(StorageClient client) : IObjectStore
{
    public async Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        var (bucket, name) = StorePath.Split(path);
        try
        {
            await client.UploadObjectAsync(bucket, name, "application/octet-stream", content, cancellationToken: cancellationToken);
        }
        catch (GoogleApiException e)
        {
            throw new ObjectStoreException($"Could not write {path}: {e.Message}", e);
        }
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var (bucket, name) = StorePath.Split(path);
        try
        {
            // Google's library writes a download into a stream; an adapter that hands out a stream buffers it.
            var content = new MemoryStream();
            await client.DownloadObjectAsync(bucket, name, content, cancellationToken: cancellationToken);
            content.Position = 0;
            return content;
        }
        catch (GoogleApiException e)
        {
            throw new ObjectStoreException($"Could not read {path}: {e.Message}", e);
        }
    }

    public async Task<IReadOnlyList<StoredObject>> ListAsync(string pathPrefix, CancellationToken cancellationToken = default)
    {
        var (bucket, prefix) = StorePath.Split(pathPrefix);
        var objects = new List<StoredObject>();
        try
        {
            await foreach (var item in client.ListObjectsAsync(bucket, prefix).WithCancellation(cancellationToken))
            {
                objects.Add(new StoredObject(
                    $"{bucket}/{item.Name}",
                    (long)(item.Size ?? 0),
                    item.UpdatedDateTimeOffset,
                    new Dictionary<string, string> { ["ETag"] = item.ETag ?? "", ["ContentType"] = item.ContentType ?? "" }));
            }
        }
        catch (GoogleApiException e)
        {
            throw new ObjectStoreException($"Could not list {pathPrefix}: {e.Message}", e);
        }

        return objects;
    }
}
