using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Infrar.Platform.Cli;

/// <summary>The CLI's side of the API: requests with the token, problem details turned into readable errors, and the event stream.</summary>
internal sealed class PlatformClient(Uri server, string token) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = new() { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };

    public Uri Server => server;

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new PlatformException($"Could not reach the Infrar service at {server}: {e.Message}. Start it with 'infrar serve', or pass --server.");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new PlatformException(Describe(response, text));
            }

            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    /// <summary>Reads a deployment's Server-Sent Events, handing each event to <paramref name="onEvent"/>; returns the final status.</summary>
    public async Task<string> FollowAsync(long deployment, Action<string, string> onEvent, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/deployments/{deployment}/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new PlatformException(Describe(response, await response.Content.ReadAsStringAsync(cancellationToken)));
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string name = "message", data = "", status = "";
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (name == "end")
                {
                    return data;
                }

                if (name == "status")
                {
                    status = data;
                }

                onEvent(name, data);
                (name, data) = ("message", "");
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }

        return status;
    }

    public void Dispose() => _http.Dispose();

    private static string Describe(HttpResponseMessage response, string text)
    {
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : problem.TryGetProperty("title", out var t) ? t.GetString() : null;
            if (problem.TryGetProperty("errors", out var errors))
            {
                detail = string.Join("; ", errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.EnumerateArray().Select(v => v.GetString()))}"));
            }

            return $"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}";
        }
        catch (JsonException)
        {
            return $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
    }
}

/// <summary>The service refused a request or could not be reached; the message says which and why.</summary>
internal sealed class PlatformException(string message) : Exception(message);
