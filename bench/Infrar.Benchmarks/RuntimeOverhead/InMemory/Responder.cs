using System.Net;
using System.Net.Http.Headers;

namespace Infrar.Benchmarks.RuntimeOverhead.InMemory;

/// <summary>One provider's answers: a successful upload, the payload on a download, and a listing of 100 objects.</summary>
internal abstract class Responder
{
    protected static readonly DateTimeOffset Modified = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public HttpResponseMessage Respond(HttpRequestMessage request)
    {
        var path = request.RequestUri!.AbsolutePath;
        var query = request.RequestUri.Query;
        if (request.Method == HttpMethod.Put || request.Method == HttpMethod.Post)
        {
            return Uploaded(request);
        }

        if (request.Method == HttpMethod.Get && IsListing(path, query))
        {
            return Listing();
        }

        if (request.Method == HttpMethod.Get)
        {
            return Downloaded();
        }

        return new HttpResponseMessage(HttpStatusCode.MethodNotAllowed);
    }

    protected abstract bool IsListing(string path, string query);

    protected abstract HttpResponseMessage Uploaded(HttpRequestMessage request);

    protected abstract HttpResponseMessage Downloaded();

    protected abstract HttpResponseMessage Listing();

    /// <summary>The entity tag answers carry; S3 clients check a download against it as the MD5 of its bytes.</summary>
    protected virtual string ETag => "\"5d41402abc4b2a76b9719d911017c592\"";

    protected HttpResponseMessage WithBody(HttpStatusCode status, byte[] body, string contentType)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
        response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        response.Content.Headers.LastModified = Modified;
        response.Headers.ETag = EntityTagHeaderValue.Parse(ETag);
        return response;
    }
}
