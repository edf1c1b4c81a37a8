using System.Net;
using System.Text;
using System.Text.Json;

namespace Infrar.Benchmarks.RuntimeOverhead.InMemory;

/// <summary>
/// Cloud Storage's JSON API answers: a resumable upload's session and then its object resource, alt=media downloads
/// with the hashes Google's library checks them against, and objects.list.
/// </summary>
internal sealed class CloudStorageResponder : Responder
{
    private readonly byte[] _uploaded = JsonSerializer.SerializeToUtf8Bytes(Resource("uploaded.bin"));

    private readonly byte[] _listing = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["kind"] = "storage#objects",
        ["items"] = InMemoryCloud.ListedKeys().Select(Resource).ToArray(),
    });

    protected override bool IsListing(string path, string query) => path.EndsWith("/o", StringComparison.Ordinal);

    private readonly string _payloadHashes = Infrar.Testing.CloudStorageHashes.Header(InMemoryCloud.Payload);

    protected override HttpResponseMessage Uploaded(HttpRequestMessage request)
    {
        if (request.Method == HttpMethod.Post && request.RequestUri!.Query.Contains("uploadType=resumable", StringComparison.Ordinal))
        {
            var session = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
            session.Headers.Location = new Uri(request.RequestUri, "?uploadType=resumable&upload_id=bench");
            return session;
        }

        var response = WithBody(HttpStatusCode.OK, _uploaded, "application/json");
        response.Headers.TryAddWithoutValidation("X-Goog-Hash", _payloadHashes);
        return response;
    }

    protected override HttpResponseMessage Downloaded()
    {
        var response = WithBody(HttpStatusCode.OK, InMemoryCloud.Payload, "application/octet-stream");
        response.Headers.TryAddWithoutValidation("X-Goog-Hash", _payloadHashes);
        return response;
    }

    protected override HttpResponseMessage Listing() => WithBody(HttpStatusCode.OK, _listing, "application/json");

    private static Dictionary<string, string> Resource(string name) => new()
    {
        ["kind"] = "storage#object",
        ["name"] = name,
        ["bucket"] = InMemoryCloud.Bucket,
        ["size"] = InMemoryCloud.Payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["contentType"] = "application/octet-stream",
        ["crc32c"] = Infrar.Testing.CloudStorageHashes.Crc32C(InMemoryCloud.Payload),
        ["md5Hash"] = Infrar.Testing.CloudStorageHashes.Md5(InMemoryCloud.Payload),
        ["etag"] = "CJ7Lq9XJ/4kDEAE=",
        ["updated"] = Modified.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
    };
}
