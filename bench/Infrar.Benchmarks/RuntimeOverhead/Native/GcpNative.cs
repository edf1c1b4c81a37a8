using System.Net.Http.Headers;
using System.Text.Json;

namespace Infrar.Benchmarks.RuntimeOverhead.Native;

/// <summary>
/// (a) What a developer writes by hand against the Cloud Storage JSON API with HttpClient. Google's storage client
/// library cannot be restored here, so the hand-written baseline is the documented REST calls themselves.
/// </summary>
public sealed class GcpNative(HttpClient http, string bucket)
{
    public async Task PutAsync(string key, byte[] content)
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.PostAsync($"upload/storage/v1/b/{bucket}/o?uploadType=media&name={Uri.EscapeDataString(key)}", body);
        response.EnsureSuccessStatusCode();
    }

    public async Task<byte[]> GetAsync(string key)
    {
        using var response = await http.GetAsync($"storage/v1/b/{bucket}/o/{Uri.EscapeDataString(key)}?alt=media", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    public async Task<int> ListAsync(string prefix)
    {
        var count = 0;
        string? pageToken = null;
        do
        {
            var query = $"storage/v1/b/{bucket}/o?prefix={Uri.EscapeDataString(prefix)}" + (pageToken is null ? "" : $"&pageToken={Uri.EscapeDataString(pageToken)}");
            using var response = await http.GetAsync(query, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            using var page = await JsonDocument.ParseAsync(body);
            if (page.RootElement.TryGetProperty("items", out var items))
            {
                foreach (var item in items.EnumerateArray())
                {
                    // What a caller of a listing reads: each object's name and size.
                    _ = item.GetProperty("name").GetString();
                    _ = long.Parse(item.GetProperty("size").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                    count++;
                }
            }

            pageToken = page.RootElement.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        }
        while (pageToken is not null);

        return count;
    }
}
