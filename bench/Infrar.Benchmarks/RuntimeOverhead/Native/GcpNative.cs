using Google.Cloud.Storage.V1;

namespace Infrar.Benchmarks.RuntimeOverhead.Native;

/// <summary>(a) What a developer writes by hand with Google's own library, Google.Cloud.Storage.V1.</summary>
public sealed class GcpNative(StorageClient client, string bucket)
{
    public async Task PutAsync(string key, byte[] content)
    {
        using var body = new MemoryStream(content, writable: false);
        await client.UploadObjectAsync(bucket, key, "application/octet-stream", body);
    }

    public async Task<byte[]> GetAsync(string key)
    {
        using var content = new MemoryStream();
        await client.DownloadObjectAsync(bucket, key, content);
        return content.ToArray();
    }

    public async Task<int> ListAsync(string prefix)
    {
        var count = 0;
        await foreach (var item in client.ListObjectsAsync(bucket, prefix))
        {
            // What a caller of a listing reads: each object's name and size.
            _ = item.Name;
            _ = item.Size;
            count++;
        }

        return count;
    }
}
