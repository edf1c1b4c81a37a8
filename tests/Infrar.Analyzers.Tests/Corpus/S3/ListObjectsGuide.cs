using System;
using System.IO;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;

namespace Corpus.S3;

/// <summary>
/// In the shape of the AWS SDK for .NET guide's "list objects" example: a request with a page size, a do/while loop
/// over the pages carrying the continuation token, each page's objects printed with ForEach; and the same loop over a
/// prefix with a foreach, adding up sizes.
/// </summary>
public static class ListObjectsGuide
{
    private const string BucketName = "guide-list";

    public static async Task RunAsync(IAmazonS3 client, string work, TextWriter log)
    {
        for (var i = 0; i < 7; i++)
        {
            await client.PutObjectAsync(new PutObjectRequest { BucketName = BucketName, Key = $"{(i % 2 == 0 ? "even" : "odd")}/item-{i}.txt", ContentBody = new string('x', i + 1) });
        }

        await ListingObjectsAsync(client, log);
        log.WriteLine($"even: {await TotalSizeAsync(client, "even/", log)} bytes");
    }

    public static async Task ListingObjectsAsync(IAmazonS3 client, TextWriter log)
    {
        var request = new ListObjectsV2Request
        {
            BucketName = BucketName,
            MaxKeys = 3,
        };

        ListObjectsV2Response response;
        do
        {
            response = await client.ListObjectsV2Async(request);
            response.S3Objects.ForEach(obj => log.WriteLine($"{obj.Key,-35}{obj.Size,10}"));

            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);
    }

    public static async Task<long> TotalSizeAsync(IAmazonS3 client, string prefix, TextWriter log)
    {
        long total = 0;
        var request = new ListObjectsV2Request { BucketName = BucketName, Prefix = prefix, MaxKeys = 2 };
        ListObjectsV2Response response;
        do
        {
            response = await client.ListObjectsV2Async(request);
            foreach (S3Object entry in response.S3Objects)
            {
                log.WriteLine(entry.Key);
                total += entry.Size ?? 0;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
        while (response.IsTruncated == true);

        return total;
    }
}
