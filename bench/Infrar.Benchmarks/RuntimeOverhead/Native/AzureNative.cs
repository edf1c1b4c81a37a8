using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Infrar.Benchmarks.RuntimeOverhead.Native;

/// <summary>(a) What a developer writes by hand with Azure.Storage.Blobs.</summary>
public sealed class AzureNative(BlobServiceClient client, string container)
{
    private readonly BlobContainerClient _container = client.GetBlobContainerClient(container);

    public Task PutAsync(string key, byte[] content) =>
        _container.GetBlobClient(key).UploadAsync(BinaryData.FromBytes(content), overwrite: true);

    public async Task<byte[]> GetAsync(string key)
    {
        var response = await _container.GetBlobClient(key).DownloadContentAsync();
        return response.Value.Content.ToArray();
    }

    public async Task<int> ListAsync(string prefix)
    {
        var count = 0;
        await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }))
        {
            count++;
        }

        return count;
    }
}
