using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Infrar.Benchmarks.RuntimeOverhead.Abstraction;

internal sealed class BlobObjectStore(BlobServiceClient client) : IObjectStore
{
    public async Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        var (container, name) = StorePath.Split(path);
        try
        {
            await client.GetBlobContainerClient(container).GetBlobClient(name).UploadAsync(content, overwrite: true, cancellationToken);
        }
        catch (RequestFailedException e)
        {
            throw new ObjectStoreException($"Could not write {path}: {e.Message}", e);
        }
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var (container, name) = StorePath.Split(path);
        try
        {
            var response = await client.GetBlobContainerClient(container).GetBlobClient(name).DownloadStreamingAsync(cancellationToken: cancellationToken);
            return response.Value.Content;
        }
        catch (RequestFailedException e)
        {
            throw new ObjectStoreException($"Could not read {path}: {e.Message}", e);
        }
    }

    public async Task<IReadOnlyList<StoredObject>> ListAsync(string pathPrefix, CancellationToken cancellationToken = default)
    {
        var (container, prefix) = StorePath.Split(pathPrefix);
        var objects = new List<StoredObject>();
        try
        {
            await foreach (var blob in client.GetBlobContainerClient(container).GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken))
            {
                objects.Add(new StoredObject(
                    $"{container}/{blob.Name}",
                    blob.Properties.ContentLength ?? 0,
                    blob.Properties.LastModified,
                    new Dictionary<string, string> { ["ETag"] = blob.Properties.ETag?.ToString() ?? "", ["ContentType"] = blob.Properties.ContentType ?? "" }));
            }
        }
        catch (RequestFailedException e)
        {
            throw new ObjectStoreException($"Could not list {pathPrefix}: {e.Message}", e);
        }

        return objects;
    }
}
