using Amazon.S3;
using Amazon.S3.Model;

namespace Infrar.Benchmarks.RuntimeOverhead.Native;

/// <summary>(a) What a developer writes by hand with AWSSDK.S3.</summary>
public sealed class AwsNative(AmazonS3Client client, string bucket)
{
    public Task PutAsync(string key, byte[] content) =>
        client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = new MemoryStream(content, writable: false),
            ContentType = "application/octet-stream",
            // As the rewritten code does for an S3-compatible endpoint (this benchmark's), so both send the same request.
            UseChunkEncoding = false,
        });

    public async Task<byte[]> GetAsync(string key)
    {
        using var response = await client.GetObjectAsync(bucket, key);
        using var content = new MemoryStream();
        await response.ResponseStream.CopyToAsync(content);
        return content.ToArray();
    }

    public async Task<int> ListAsync(string prefix)
    {
        var count = 0;
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request);
            count += page.S3Objects?.Count ?? 0;
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        return count;
    }
}
