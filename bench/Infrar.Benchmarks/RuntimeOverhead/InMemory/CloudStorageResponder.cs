using System.Net;
using System.Text;
using System.Text.Json;

namespace Infrar.Benchmarks.RuntimeOverhead.InMemory;

/// <summary>Cloud Storage's JSON API answers: an upload's object resource, alt=media downloads, and objects.list.</summary>
internal sealed class CloudStorageResponder : Responder
{
    private readonly byte[] _uploaded = JsonSerializer.SerializeToUtf8Bytes(Resource("uploaded.bin"));

    private readonly byte[] _listing = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["kind"] = "storage#objects",
        ["items"] = InMemoryCloud.ListedKeys().Select(Resource).ToArray(),
    });

    protected override bool IsListing(string path, string query) => path.EndsWith("/o", StringComparison.Ordinal);

    protected override HttpResponseMessage Uploaded(HttpRequestMessage request) => WithBody(HttpStatusCode.OK, _uploaded, "application/json");

    protected override HttpResponseMessage Downloaded() => WithBody(HttpStatusCode.OK, InMemoryCloud.Payload, "application/octet-stream");

    protected override HttpResponseMessage Listing() => WithBody(HttpStatusCode.OK, _listing, "application/json");

    private static Dictionary<string, string> Resource(string name) => new()
    {
        ["kind"] = "storage#object",
        ["name"] = name,
        ["bucket"] = InMemoryCloud.Bucket,
        ["size"] = InMemoryCloud.Payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["contentType"] = "application/octet-stream",
        ["etag"] = "CJ7Lq9XJ/4kDEAE=",
        ["updated"] = Modified.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
    };
}
