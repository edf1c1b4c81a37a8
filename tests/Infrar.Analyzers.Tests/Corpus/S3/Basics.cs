using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;

namespace Corpus.S3;

/// <summary>
/// In the shape of the AWS SDK for .NET's S3 "getting started" scenario: each step a method taking the client and the
/// bucket name, checking the response's status, listing page by page and emptying the bucket in one batch.
/// </summary>
public static class Basics
{
    public static async Task RunAsync(IAmazonS3 client, string work, TextWriter log)
    {
        const string bucketName = "docs-basics";
        var local = Path.Combine(work, "basics.txt");
        await File.WriteAllTextAsync(local, "getting started");

        await UploadFileAsync(client, bucketName, "basics.txt", local, log);
        await DownloadObjectFromBucketAsync(client, bucketName, "basics.txt", Path.Combine(work, "downloads"), log);
        await CopyObjectInBucketAsync(client, bucketName, "basics.txt", "copies", log);
        await ListBucketContentsAsync(client, bucketName, log);
        await DeleteBucketContentsAsync(client, bucketName, "copies/", log);
    }

    public static async Task<bool> UploadFileAsync(IAmazonS3 client, string bucketName, string objectName, string filePath, TextWriter log)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucketName,
            Key = objectName,
            FilePath = filePath,
        };

        var response = await client.PutObjectAsync(request);
        if (response.HttpStatusCode == System.Net.HttpStatusCode.OK)
        {
            log.WriteLine($"uploaded {objectName} to {bucketName}");
            return true;
        }

        log.WriteLine($"could not upload {objectName}");
        return false;
    }

    public static async Task<bool> DownloadObjectFromBucketAsync(IAmazonS3 client, string bucketName, string objectName, string filePath, TextWriter log)
    {
        var request = new GetObjectRequest
        {
            BucketName = bucketName,
            Key = objectName,
        };

        using GetObjectResponse response = await client.GetObjectAsync(request);
        try
        {
            await response.WriteResponseStreamToFileAsync($"{filePath}/{objectName}", true, System.Threading.CancellationToken.None);
            return response.HttpStatusCode == System.Net.HttpStatusCode.OK;
        }
        catch (AmazonS3Exception ex)
        {
            log.WriteLine($"error saving {objectName}: {ex.Message}");
            return false;
        }
    }

    public static async Task<bool> CopyObjectInBucketAsync(IAmazonS3 client, string bucketName, string objectName, string folderName, TextWriter log)
    {
        try
        {
            var request = new CopyObjectRequest
            {
                SourceBucket = bucketName,
                SourceKey = objectName,
                DestinationBucket = bucketName,
                DestinationKey = $"{folderName}/{objectName}",
            };
            var response = await client.CopyObjectAsync(request);
            return response.HttpStatusCode == System.Net.HttpStatusCode.OK;
        }
        catch (AmazonS3Exception ex)
        {
            log.WriteLine($"error copying {objectName}: {ex.Message}");
            return false;
        }
    }

    public static async Task<bool> ListBucketContentsAsync(IAmazonS3 client, string bucketName, TextWriter log)
    {
        var request = new ListObjectsV2Request
        {
            BucketName = bucketName,
            MaxKeys = 5,
        };

        ListObjectsV2Response response;
        do
        {
            response = await client.ListObjectsV2Async(request);
            (response.S3Objects ?? []).ForEach(obj => log.WriteLine($"{obj.Key,-35}{obj.Size,10}"));
            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return true;
    }

    public static async Task<bool> DeleteBucketContentsAsync(IAmazonS3 client, string bucketName, string prefix, TextWriter log)
    {
        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucketName, Prefix = prefix });
        var keys = (listed.S3Objects ?? []).Select(o => new KeyVersion { Key = o.Key }).ToList();
        if (keys.Count == 0)
        {
            return true;
        }

        var response = await client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucketName, Objects = keys });
        log.WriteLine($"deleted {response.DeletedObjects.Count} objects");
        return true;
    }
}
