using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using Infrar.Testing;
using Xunit;

namespace Infrar.Sdk.Tests.Conformance;

/// <summary>
/// The rewritten code builds each provider's client on the handler given to <see cref="CloudClients.UseHttpHandler"/>.
/// It runs with the conformance fixture, which sets each provider's environment; the handler answers instead of the
/// emulators, and each compiled probe has its own copy of the SDK so its setting reaches no other test.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class CloudClientsTests
{
    private const string Probe = """
        using System;
        using System.Net.Http;
        using System.Threading.Tasks;

        namespace Probe;

        public static class HandlerProbe
        {
            public static async Task<string?> RunAsync(Func<HttpMessageHandler> createHandler)
            {
                Infrar.CloudClients.UseHttpHandler(createHandler);
                await Infrar.Storage.Bucket("media").UploadAsync("hello.txt", new byte[] { 1, 2, 3 });
                try
                {
                    Infrar.CloudClients.UseHttpHandler(createHandler);
                    return null;
                }
                catch (InvalidOperationException e)
                {
                    return e.Message;
                }
            }
        }
        """;

    [Theory]
    [InlineData("aws")]
    [InlineData("azure")]
    [InlineData("gcp")]
    public async Task Rewritten_calls_go_through_the_configured_handler(string provider)
    {
        var result = GeneratorHarness.Run(provider, [("Probe.cs", Probe)], assemblyName: $"Probe.{provider}");
        var probe = GeneratorHarness.EmitAndLoad(result.Compilation, privateSdk: true).GetType("Probe.HandlerProbe", throwOnError: true)!;
        var handler = new RecordingHandler(provider);
        var handlersCreated = 0;
        Func<HttpMessageHandler> createHandler = () =>
        {
            handlersCreated++;
            return handler;
        };

        var lateCall = await (Task<string?>)probe.GetMethod("RunAsync", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [createHandler])!;

        Assert.Equal(1, handlersCreated);
        // One request, or for Cloud Storage's resumable upload two: the session's start, then its content.
        Assert.Equal(provider == "gcp" ? 2 : 1, handler.Requests.Count);
        var request = handler.Requests[0];
        Assert.Contains(ConformanceFixture.MediaBucket, request.Uri.AbsolutePath, StringComparison.Ordinal);
        // The key is in the path, or for Cloud Storage in the object resource the upload starts with.
        Assert.Contains("hello.txt", Uri.UnescapeDataString(request.Uri.PathAndQuery) + Encoding.UTF8.GetString(Gunzip(request.Body)), StringComparison.Ordinal);
        Assert.True(handler.Requests[^1].Body.AsSpan().IndexOf(new byte[] { 1, 2, 3 }) >= 0, $"the {provider} request carries the uploaded bytes");
        Assert.Contains("after a provider client was created", lateCall, StringComparison.Ordinal);
    }

    /// <summary>A body as sent, or unzipped when Google's library gzipped it.</summary>
    private static byte[] Gunzip(byte[] body)
    {
        if (body is not [0x1F, 0x8B, ..])
        {
            return body;
        }

        using var unzipped = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress))
        {
            gzip.CopyTo(unzipped);
        }

        return unzipped.ToArray();
    }

    private sealed record Recorded(HttpMethod Method, Uri Uri, byte[] Body);

    /// <summary>
    /// Records each request and answers it as the provider answers a successful upload (for Cloud Storage, the start
    /// of a resumable upload with its session URI, then the stored object).
    /// </summary>
    private sealed class RecordingHandler(string provider) : HttpMessageHandler
    {
        public List<Recorded> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            Requests.Add(new Recorded(request.Method, request.RequestUri!, body));
            var response = new HttpResponseMessage(provider == "azure" ? HttpStatusCode.Created : HttpStatusCode.OK)
            {
                RequestMessage = request,
                Content = provider == "gcp"
                    ? new StringContent("""{"name":"hello.txt","bucket":"conformance-media","size":"3"}""", Encoding.UTF8, "application/json")
                    : new ByteArrayContent([]),
            };
            if (provider == "gcp" && request.Method == HttpMethod.Post)
            {
                response.Headers.Location = new Uri(request.RequestUri!, "?uploadType=resumable&upload_id=probe");
            }

            response.Headers.ETag = new EntityTagHeaderValue("\"0x1\"");
            response.Content.Headers.LastModified = DateTimeOffset.UtcNow;
            return response;
        }
    }
}
