using System;
using System.IO;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;

namespace Corpus.S3;

/// <summary>
/// In the shape of the AWS SDK for .NET guide's "upload an object" example: a constant bucket, requests built in
/// variables, responses kept and never read, metadata added after the request is made.
/// </summary>
public static class UploadObject
{
    private const string BucketName = "docs-upload";
    private const string KeyName1 = "sample.txt";
    private const string KeyName2 = "notes/title.md";

    public static async Task RunAsync(IAmazonS3 client, string work, TextWriter log)
    {
        var filePath = Path.Combine(work, "notes.md");
        try
        {
            // 1. Put an object by its text; the content type comes from the key.
            var putRequest1 = new PutObjectRequest
            {
                BucketName = BucketName,
                Key = KeyName1,
                ContentBody = "sample text",
            };

            PutObjectResponse response1 = await client.PutObjectAsync(putRequest1);

            // 2. Put a file, setting its content type and adding metadata.
            var putRequest2 = new PutObjectRequest
            {
                BucketName = BucketName,
                Key = KeyName2,
                FilePath = filePath,
                ContentType = "text/markdown",
            };
            putRequest2.Metadata.Add("x-amz-meta-title", "someTitle");
            putRequest2.Metadata["Author"] = "docs";

            PutObjectResponse response2 = await client.PutObjectAsync(putRequest2);
            log.WriteLine("uploaded 2 objects");
        }
        catch (IOException e)
        {
            log.WriteLine($"could not read {filePath}: {e.Message}");
        }
    }
}
