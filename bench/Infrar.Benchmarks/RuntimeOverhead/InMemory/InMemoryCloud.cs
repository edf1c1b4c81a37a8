using System.Net;

namespace Infrar.Benchmarks.RuntimeOverhead.InMemory;

/// <summary>
/// An HTTP handler that answers S3, Blob Storage and Cloud Storage requests from memory, so that a benchmark times
/// the client code and nothing of a network. Each provider's client is pointed at its own host; the answers are
/// built once and are the same for every way of calling.
/// </summary>
public sealed class InMemoryCloud : HttpMessageHandler
{
    public const string Bucket = "objects";
    public const string ListPrefix = "listing/";
    public const int ListedObjects = 100;

    public static readonly Uri S3Endpoint = new("http://s3.bench.test");
    public static readonly Uri BlobEndpoint = new("http://blob.bench.test/bench");
    public static readonly Uri CloudStorageEndpoint = new("http://storage.bench.test");

    /// <summary>The 1 KiB every upload sends and every download returns.</summary>
    public static readonly byte[] Payload = CreatePayload(1024);

    /// <summary>The one handler of the process: every client, whichever way it is called, sends through it.</summary>
    public static readonly InMemoryCloud Instance = new();

    private readonly S3Responder _s3 = new();
    private readonly BlobResponder _blob = new();
    private readonly CloudStorageResponder _cloudStorage = new();

    private long _requests;

    private InMemoryCloud()
    {
    }

    /// <summary>How many requests have reached the handler: proof that a client is on it and not on the network.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);

        // Read the request body as a network transport would send it.
        if (request.Content is not null)
        {
            await request.Content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        var response = request.RequestUri!.Host switch
        {
            "s3.bench.test" => _s3.Respond(request),
            "blob.bench.test" => _blob.Respond(request),
            "storage.bench.test" => _cloudStorage.Respond(request),
            var host => new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent($"no such host {host}") },
        };
        response.RequestMessage = request;
        return response;
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    /// <summary>The keys a listing returns: <see cref="ListedObjects"/> objects under <see cref="ListPrefix"/>.</summary>
    public static IEnumerable<string> ListedKeys() =>
        Enumerable.Range(0, ListedObjects).Select(i => $"{ListPrefix}{i:D3}.bin");

    private static byte[] CreatePayload(int length)
    {
        var bytes = new byte[length];
        new Random(42).NextBytes(bytes);
        return bytes;
    }
}
