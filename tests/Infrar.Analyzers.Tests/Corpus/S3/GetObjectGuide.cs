using System.IO;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;

namespace Corpus.S3;

/// <summary>
/// In the shape of the AWS SDK for .NET guide's "get an object" example: one response whose metadata, header and body
/// are read together, and an object put with a title to read back.
/// </summary>
public static class GetObjectGuide
{
    private const string Bucket = "guide";

    public static async Task RunAsync(IAmazonS3 client, string work, TextWriter log)
    {
        var put = new PutObjectRequest { BucketName = Bucket, Key = "guide.txt", ContentBody = "read me" };
        put.Metadata.Add("x-amz-meta-title", "someTitle");
        await client.PutObjectAsync(put);

        string responseBody;
        var request = new GetObjectRequest { BucketName = Bucket, Key = "guide.txt" };
        using (GetObjectResponse response = await client.GetObjectAsync(request))
        using (Stream responseStream = response.ResponseStream)
        using (StreamReader reader = new StreamReader(responseStream))
        {
            string title = response.Metadata["x-amz-meta-title"];
            string contentType = response.Headers["Content-Type"];
            responseBody = reader.ReadToEnd();
            log.WriteLine($"{title} ({contentType}): {responseBody}");
        }
    }
}
