using System.Globalization;
using System.Net;
using System.Text;

namespace Infrar.Benchmarks.RuntimeOverhead.InMemory;

/// <summary>Azure Blob Storage's REST answers: Put Blob, Get Blob and List Blobs.</summary>
internal sealed class BlobResponder : Responder
{
    private readonly byte[] _listing = Encoding.UTF8.GetBytes(
        $"""<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="{InMemoryCloud.BlobEndpoint}/" ContainerName="{InMemoryCloud.Bucket}"><Prefix>{InMemoryCloud.ListPrefix}</Prefix><Delimiter>/</Delimiter><Blobs>"""
        + string.Concat(InMemoryCloud.ListedKeys().Select(key =>
            $"<Blob><Name>{key}</Name><Properties><Last-Modified>{Modified.ToString("r", CultureInfo.InvariantCulture)}</Last-Modified><Etag>0x8DCB2D8A1F0E1A2</Etag><Content-Length>{InMemoryCloud.Payload.Length}</Content-Length><Content-Type>application/octet-stream</Content-Type><BlobType>BlockBlob</BlobType><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties></Blob>"))
        + "</Blobs><NextMarker /></EnumerationResults>");

    protected override bool IsListing(string path, string query) => query.Contains("comp=list", StringComparison.Ordinal);

    protected override HttpResponseMessage Uploaded(HttpRequestMessage request)
    {
        var response = Stamped(WithBody(HttpStatusCode.Created, [], "application/octet-stream"));
        response.Headers.Add("x-ms-request-server-encrypted", "true");
        return response;
    }

    protected override HttpResponseMessage Downloaded()
    {
        var response = Stamped(WithBody(HttpStatusCode.OK, InMemoryCloud.Payload, "application/octet-stream"));
        response.Headers.Add("x-ms-blob-type", "BlockBlob");
        response.Headers.Add("x-ms-server-encrypted", "true");
        return response;
    }

    protected override HttpResponseMessage Listing() => Stamped(WithBody(HttpStatusCode.OK, _listing, "application/xml"));

    private static HttpResponseMessage Stamped(HttpResponseMessage response)
    {
        response.Headers.Add("x-ms-request-id", "00000000-0000-0000-0000-000000000000");
        response.Headers.Add("x-ms-version", "2021-12-02");
        return response;
    }
}
