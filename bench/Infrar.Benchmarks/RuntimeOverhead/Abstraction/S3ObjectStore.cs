using Amazon.S3;
using Amazon.S3.Model;

namespace Infrar.Benchmarks.RuntimeOverhead.Abstraction;

internal sealed class S3ObjectStore(AmazonS3Client client) : IObjectStore
{
    public async Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        var (bucket, key) = StorePath.Split(path);
        try
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = content, AutoCloseStream = false, UseChunkEncoding = false }, cancellationToken);
        }
        catch (AmazonS3Exception e)
        {
            throw new ObjectStoreException($"Could not write {path}: {e.Message}", e);
        }
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var (bucket, key) = StorePath.Split(path);
        try
        {
            var response = await client.GetObjectAsync(bucket, key, cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e)
        {
            throw new ObjectStoreException($"Could not read {path}: {e.Message}", e);
        }
    }

    public async Task<IReadOnlyList<StoredObject>> ListAsync(string pathPrefix, CancellationToken cancellationToken = default)
    {
        var (bucket, prefix) = StorePath.Split(pathPrefix);
        var objects = new List<StoredObject>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        try
        {
            ListObjectsV2Response page;
            do
            {
                page = await client.ListObjectsV2Async(request, cancellationToken);
                foreach (var item in page.S3Objects ?? [])
                {
                    objects.Add(new StoredObject(
                        $"{bucket}/{item.Key}",
                        item.Size ?? 0,
                        item.LastModified,
                        new Dictionary<string, string> { ["ETag"] = item.ETag, ["StorageClass"] = item.StorageClass?.Value ?? "" }));
                }

                request.ContinuationToken = page.NextContinuationToken;
            }
            while (page.IsTruncated == true);
        }
        catch (AmazonS3Exception e)
        {
            throw new ObjectStoreException($"Could not list {pathPrefix}: {e.Message}", e);
        }

        return objects;
    }
}
