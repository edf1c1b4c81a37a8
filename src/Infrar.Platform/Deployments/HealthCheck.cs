using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Infrar.Platform.Api;

namespace Infrar.Platform.Deployments;

/// <summary>What the health check after an apply found: the URL asked, whether the app answered, how, after how many checks and seconds.</summary>
internal sealed record HealthResult(string Url, bool Healthy, string Detail, int Checks, double Seconds)
{
    public static HealthResult? Read(string? json) => json is null ? null : JsonSerializer.Deserialize<HealthResult>(json, ImageSettings.Json);

    public string Write() => JsonSerializer.Serialize(this, ImageSettings.Json);
}

/// <summary>
/// Asks the app's URL (the hosting's URL output, as the catalog names it, and the environment's health path) until it
/// answers below 400 or the health timeout passes. The URL comes from the deployment's own OpenTofu, which the service
/// does not trust: redirects are not followed, no body is read, and unless the service allows it no address on this
/// machine or a private network is connected to (checked on the address connected to, so a name cannot be re-pointed).
/// </summary>
internal sealed class HealthCheck : IDisposable
{
    private readonly HttpClient _http;
    private readonly PlatformOptions _options;

    public HealthCheck(PlatformOptions options)
    {
        _options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            ConnectCallback = ConnectAsync,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The URL to ask, from the outputs and the path; null when the outputs hold no http(s) URL under that name.</summary>
    public static Uri? UrlOf(DeploymentOutputs outputs, string output, string path) =>
        outputs.Values.TryGetValue(output, out var value) && value.ValueKind == JsonValueKind.String &&
        Uri.TryCreate(value.GetString(), UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && string.IsNullOrEmpty(url.UserInfo)
            ? new Uri(url, path)
            : null;

    public async Task<HealthResult> WaitAsync(Uri url, Func<string, Task> log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var checks = 0;
        string? last = null;
        while (true)
        {
            checks++;
            var remaining = _options.HealthTimeout - clock.Elapsed;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromSeconds(Math.Clamp(remaining.TotalSeconds, 1, 10)));
            string outcome;
            try
            {
                using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
                var status = (int)response.StatusCode;
                outcome = $"{status} {response.ReasonPhrase}".Trim();
                if (status < 400)
                {
                    await log($"infrar: {url} answered {outcome} after {clock.Elapsed.TotalSeconds:0.0} s ({checks} checks): healthy");
                    return new HealthResult(url.ToString(), true, $"answered {outcome}", checks, Math.Round(clock.Elapsed.TotalSeconds, 1));
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                outcome = "no answer within 10 s";
            }
            catch (HttpRequestException e)
            {
                outcome = e.InnerException is RefusedAddressException refused ? refused.Message : $"no answer ({e.HttpRequestError}: {e.Message})";
            }

            if (outcome != last)
            {
                await log($"infrar: {url}: {outcome} (check {checks}, {clock.Elapsed.TotalSeconds:0.0} s)");
                last = outcome;
            }

            if (clock.Elapsed + _options.HealthPoll >= _options.HealthTimeout)
            {
                return new HealthResult(url.ToString(), false, $"{outcome}; not healthy within {_options.HealthTimeout.TotalSeconds:0} s", checks, Math.Round(clock.Elapsed.TotalSeconds, 1));
            }

            await Task.Delay(_options.HealthPoll, cancellationToken);
        }
    }

    public void Dispose() => _http.Dispose();

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(context.DnsEndPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        var allowed = _options.HealthAllowPrivateAddresses ? addresses : addresses.Where(a => !IsPrivate(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new RefusedAddressException(
                $"{context.DnsEndPoint.Host} is {string.Join(", ", addresses.Select(a => a.ToString()))}, on this machine or a private network, which the health check does not ask");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Loopback, link-local (the clouds' metadata addresses), private, shared and unspecified addresses.</summary>
    internal static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 10 || b[0] == 0 || (b[0] == 172 && b[1] >= 16 && b[1] < 32) || (b[0] == 192 && b[1] == 168) ||
                (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] >= 64 && b[1] < 128) || b[0] >= 224;
        }

        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
    }

    private sealed class RefusedAddressException(string message) : IOException(message);
}
