using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Infrar.Benchmarks.RuntimeOverhead.Abstraction;

internal sealed class CloudStorageObjectStore(HttpClient http) : IObjectStore
{
    public async Task WriteAsync(string path, Stream content, CancellationToken cancellationToken = default)
    {
        var (bucket, name) = StorePath.Split(path);
        using var body = new StreamContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.PostAsync($"upload/storage/v1/b/{bucket}/o?uploadType=media&name={Uri.EscapeDataString(name)}", body, cancellationToken);
        await ThrowIfFailedAsync(response, path, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var (bucket, name) = StorePath.Split(path);
        var response = await http.GetAsync($"storage/v1/b/{bucket}/o/{Uri.EscapeDataString(name)}?alt=media", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ThrowIfFailedAsync(response, path, cancellationToken);
        return await response.Content.ReadAsStreamAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoredObject>> ListAsync(string pathPrefix, CancellationToken cancellationToken = default)
    {
        var (bucket, prefix) = StorePath.Split(pathPrefix);
        var objects = new List<StoredObject>();
        string? pageToken = null;
        do
        {
            var query = $"storage/v1/b/{bucket}/o?prefix={Uri.EscapeDataString(prefix)}" + (pageToken is null ? "" : $"&pageToken={Uri.EscapeDataString(pageToken)}");
            using var response = await http.GetAsync(query, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await ThrowIfFailedAsync(response, pathPrefix, cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var page = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
            if (page.RootElement.TryGetProperty("items", out var items))
            {
                foreach (var item in items.EnumerateArray())
                {
                    objects.Add(new StoredObject(
                        $"{bucket}/{item.GetProperty("name").GetString()}",
                        long.Parse(item.GetProperty("size").GetString()!, CultureInfo.InvariantCulture),
                        item.GetProperty("updated").GetDateTimeOffset(),
                        new Dictionary<string, string> { ["ETag"] = item.GetProperty("etag").GetString() ?? "", ["ContentType"] = item.GetProperty("contentType").GetString() ?? "" }));
                }
            }

            pageToken = page.RootElement.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        }
        while (pageToken is not null);

        return objects;
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new ObjectStoreException($"Cloud Storage answered {(int)response.StatusCode} for {path}", new HttpRequestException(detail));
        }
    }
}
