using System;
using System.IO;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;

namespace Corpus.S3;

/// <summary>
/// Reads as apps write them: a download to a file, a body read as text (or a default when it is missing), a copy to
/// a stream, a head for the content type, length and metadata, an exists check by catching NotFound, and a paginated
/// listing.
/// </summary>
public static class ReadObjects
{
    private const string Bucket = "reads";

    public static async Task RunAsync(IAmazonS3 s3, string work, TextWriter log)
    {
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = "docs/readme.txt", ContentBody = "read me" });
        var data = new PutObjectRequest { BucketName = Bucket, Key = "docs/data.json", ContentBody = "{\"a\":1}" };
        data.Metadata.Add("x-amz-meta-owner", "reads");
        await s3.PutObjectAsync(data);

        await DownloadAsync(s3, Path.Combine(work, "readme.txt"));
        log.WriteLine(await ReadTextAsync(s3, "docs/data.json", CancellationToken.None));
        log.WriteLine(await ReadOrDefaultAsync(s3, "docs/missing.txt"));
        using (var copy = new MemoryStream())
        {
            await CopyToAsync(s3, "docs/readme.txt", copy);
            log.WriteLine($"copied {copy.Length} bytes");
        }

        log.WriteLine(await DescribeAsync(s3, "docs/data.json"));
        log.WriteLine($"exists: {await ExistsAsync(s3, "docs/readme.txt")} {await ExistsAsync(s3, "docs/missing.txt")}");
        await ListAsync(s3, "docs/", log);
    }

    private static async Task DownloadAsync(IAmazonS3 s3, string path)
    {
        using var response = await s3.GetObjectAsync(Bucket, "docs/readme.txt");
        await response.WriteResponseStreamToFileAsync(path, false, CancellationToken.None);
    }

    private static async Task<string> ReadTextAsync(IAmazonS3 s3, string key, CancellationToken cancellationToken)
    {
        using var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = Bucket, Key = key }, cancellationToken);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private static async Task<string> ReadOrDefaultAsync(IAmazonS3 s3, string key)
    {
        try
        {
            using var response = await s3.GetObjectAsync(Bucket, key);
            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
        {
            return $"(none: {e.Message.Length > 0})";
        }
    }

    private static async Task CopyToAsync(IAmazonS3 s3, string key, Stream destination)
    {
        using var response = await s3.GetObjectAsync(Bucket, key);
        await response.ResponseStream.CopyToAsync(destination);
    }

    private static async Task<string> DescribeAsync(IAmazonS3 s3, string key)
    {
        GetObjectMetadataResponse metadata = await s3.GetObjectMetadataAsync(Bucket, key);
        return $"{key}: {metadata.Headers.ContentType}, {metadata.ContentLength} bytes, owner {metadata.Metadata["x-amz-meta-owner"] ?? "none"}";
    }

    private static async Task<bool> ExistsAsync(IAmazonS3 s3, string key)
    {
        try
        {
            await s3.GetObjectMetadataAsync(Bucket, key);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static async Task ListAsync(IAmazonS3 s3, string prefix, TextWriter log)
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = prefix };
        var paginator = s3.Paginators.ListObjectsV2(request);
        long total = 0;
        await foreach (S3Object item in paginator.S3Objects)
        {
            log.WriteLine($"{item.Key} {item.Size}");
            total += item.Size ?? 0;
        }

        log.WriteLine($"{total} bytes");
    }
}
