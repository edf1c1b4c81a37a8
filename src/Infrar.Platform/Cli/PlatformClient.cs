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

    /// <summary>How long the CLI keeps retrying a request the service answered 503 (or, for a retry-safe one, could not be reached).</summary>
    public static readonly TimeSpan RetryFor = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Sends a request and returns its JSON answer, or throws a <see cref="PlatformException"/> saying why not. A 503
    /// (the service's database is busy: nothing was changed) is retried after its Retry-After, for up to a minute. A
    /// submission with an <paramref name="idempotencyKey"/> (which the service carries out once) is also retried when
    /// the connection fails, as while the service restarts: its answer is not lost, and nothing is done twice.
    /// </summary>
    public async Task<JsonElement> SendAsync(
        HttpMethod method, string path, object? body = null, CancellationToken cancellationToken = default, string? idempotencyKey = null)
    {
        var deadline = DateTime.UtcNow + RetryFor;
        var safe = idempotencyKey is not null;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (idempotencyKey is not null)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }

            if (body is not null)
            {
                request.Content = JsonContent.Create(body, options: Json);
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e) when (safe && DateTime.UtcNow < deadline)
            {
                await Console.Error.WriteLineAsync($"infrar: {server} could not be reached ({e.Message}); retrying");
                await Task.Delay(Backoff(attempt), cancellationToken);
                continue;
            }
            catch (HttpRequestException e)
            {
                throw new PlatformException($"Could not reach the Infrar service at {server}: {e.Message}. Start it with 'infrar serve', or pass --server.");
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
                {
                    var wait = response.Headers.RetryAfter?.Delta ?? Backoff(attempt);
                    await Console.Error.WriteLineAsync($"infrar: the service is busy (503); retrying in {wait.TotalSeconds:0} s");
                    await Task.Delay(wait, cancellationToken);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new PlatformException(Describe(response, text));
                }

                return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
            }
        }
    }

    /// <summary>A GET whose answer is text (a log), or a <see cref="PlatformException"/> saying why not.</summary>
    public async Task<string> SendTextAsync(string path, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
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
            return response.IsSuccessStatusCode ? text : throw new PlatformException(Describe(response, text));
        }
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromSeconds(Math.Min(10, 0.5 * Math.Pow(2, attempt - 1)));

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
