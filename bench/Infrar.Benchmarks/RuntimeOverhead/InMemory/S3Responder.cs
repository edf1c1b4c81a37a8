using System.Globalization;
using System.Net;
using System.Text;

namespace Infrar.Benchmarks.RuntimeOverhead.InMemory;

/// <summary>Amazon S3's REST answers: PutObject, GetObject and ListObjectsV2 (path-style addressing).</summary>
internal sealed class S3Responder : Responder
{
    private readonly byte[] _listing = Encoding.UTF8.GetBytes(
        $"""<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>{InMemoryCloud.Bucket}</Name><Prefix>{InMemoryCloud.ListPrefix}</Prefix><KeyCount>{InMemoryCloud.ListedObjects}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"""
        + string.Concat(InMemoryCloud.ListedKeys().Select(key =>
            $"<Contents><Key>{key}</Key><LastModified>{Modified.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}</LastModified><ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>{InMemoryCloud.Payload.Length}</Size><StorageClass>STANDARD</StorageClass></Contents>"))
        + "</ListBucketResult>");

    private static readonly string PayloadETag = $"\"{Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(InMemoryCloud.Payload))}\"";

    protected override string ETag => PayloadETag;

    protected override bool IsListing(string path, string query) => query.Contains("list-type=2", StringComparison.Ordinal);

    protected override HttpResponseMessage Uploaded(HttpRequestMessage request) => WithRequestId(WithBody(HttpStatusCode.OK, [], "application/xml"));

    protected override HttpResponseMessage Downloaded() => WithRequestId(WithBody(HttpStatusCode.OK, InMemoryCloud.Payload, "application/octet-stream"));

    protected override HttpResponseMessage Listing() => WithRequestId(WithBody(HttpStatusCode.OK, _listing, "application/xml"));

    private static HttpResponseMessage WithRequestId(HttpResponseMessage response)
    {
        response.Headers.Add("x-amz-request-id", "0000000000000000");
        return response;
    }
}
