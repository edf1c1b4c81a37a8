using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Infrar.Generators.Catalog;

namespace Infrar.Platform.Deployments;

/// <summary>The environment cannot sign in to its registry; the message says which credential or answer is missing.</summary>
internal sealed class RegistryLoginException(string message) : Exception(message);

/// <summary>
/// Signs in to an environment's container registry as its provider's catalog says (<c>hosting.registry_login</c>): a
/// user name and a password from the environment's credentials, or a password the named exchange gets for them.
/// </summary>
internal static partial class RegistryLogins
{
    /// <summary>The user and password to push with; null when the registry takes no sign-in (the local provider's).</summary>
    public static async Task<(string User, string Password)?> SignInAsync(
        RegistryLogin? login, string host, IReadOnlyDictionary<string, string> credentials, HttpClient http, CancellationToken cancellationToken)
    {
        if (login is null)
        {
            return null;
        }

        if (login.Token is { } exchange)
        {
            return exchange switch
            {
                "ecr" => await EcrTokenAsync(host, credentials, http, DateTimeOffset.UtcNow, cancellationToken),
                _ => throw new RegistryLoginException($"the catalog names a registry sign-in '{exchange}' this service does not know"),
            };
        }

        var user = login.Username ?? Credential(credentials, login.UsernameCredential!);
        return (user, Credential(credentials, login.PasswordCredential!));
    }

    private static string Credential(IReadOnlyDictionary<string, string> credentials, string name) =>
        credentials.GetValueOrDefault(name) is { Length: > 0 } value
            ? value
            : throw new RegistryLoginException($"the environment has no {name} credential, which signs in to its container registry");

    /// <summary>
    /// ECR's password for the environment's access key: <c>GetAuthorizationToken</c>, signed with Signature Version 4,
    /// answers a token that is <c>AWS:&lt;password&gt;</c> in base64, good for 12 hours.
    /// </summary>
    internal static async Task<(string User, string Password)> EcrTokenAsync(
        string host, IReadOnlyDictionary<string, string> credentials, HttpClient http, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (EcrHost().Match(host) is not { Success: true } match)
        {
            throw new RegistryLoginException($"'{host}' is not an ECR registry (<account>.dkr.ecr.<region>.amazonaws.com)");
        }

        var region = match.Groups["region"].Value;
        var keyId = Credential(credentials, "AWS_ACCESS_KEY_ID");
        var secret = Credential(credentials, "AWS_SECRET_ACCESS_KEY");
        var endpoint = new Uri($"https://api.ecr.{region}.amazonaws.com{match.Groups["china"].Value}/");
        var body = "{}"u8.ToArray();
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = "application/x-amz-json-1.1",
            ["host"] = endpoint.Host,
            ["x-amz-date"] = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture),
            ["x-amz-target"] = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
        };
        if (credentials.GetValueOrDefault("AWS_SESSION_TOKEN") is { Length: > 0 } session)
        {
            headers["x-amz-security-token"] = session;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(headers["content-type"]);
        foreach (var (name, value) in headers.Where(h => h.Key is not ("content-type" or "host")))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Authorization", SignatureV4.Authorization("POST", endpoint, headers, body, keyId, secret, region, "ecr", now));
        using var response = await http.SendAsync(request, cancellationToken);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new RegistryLoginException($"ECR refused GetAuthorizationToken for the environment's access key: {(int)response.StatusCode} {Shorten(answer)}");
        }

        try
        {
            using var document = JsonDocument.Parse(answer);
            var token = document.RootElement.GetProperty("authorizationData")[0].GetProperty("authorizationToken").GetString()!;
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? (pair[..colon], pair[(colon + 1)..]) : throw new FormatException("the token is not user:password");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or IndexOutOfRangeException or FormatException or InvalidOperationException)
        {
            throw new RegistryLoginException($"ECR's GetAuthorizationToken answer holds no token Infrar can read ({e.Message})");
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    [GeneratedRegex(@"^[0-9]{12}\.dkr\.ecr(-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?<china>\.cn)?$")]
    private static partial Regex EcrHost();
}

/// <summary>
/// AWS Signature Version 4 for one request (the algorithm the AWS General Reference documents): a canonical request of
/// the method, path, query, signed headers and the payload's hash, signed with a key derived from the secret, the
/// date, the region and the service.
/// </summary>
internal static class SignatureV4
{
    /// <summary>The Authorization header's value. <paramref name="headers"/> are the signed ones, by lower-case name.</summary>
    public static string Authorization(
        string method, Uri uri, IReadOnlyDictionary<string, string> headers, byte[] payload, string keyId, string secret, string region, string service, DateTimeOffset at)
    {
        var date = at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var timestamp = at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var signed = headers.Keys.Select(k => k.ToLowerInvariant()).Order(StringComparer.Ordinal).ToList();
        var canonicalHeaders = string.Concat(signed.Select(name => $"{name}:{headers.First(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value.Trim()}\n"));
        var query = string.Join('&', uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(pair => (Name: Encode(Uri.UnescapeDataString(pair[0])), Value: Encode(Uri.UnescapeDataString(pair.Length > 1 ? pair[1] : ""))))
            .OrderBy(pair => pair.Name, StringComparer.Ordinal).ThenBy(pair => pair.Value, StringComparer.Ordinal)
            .Select(pair => $"{pair.Name}={pair.Value}"));
        var path = uri.AbsolutePath.Length == 0 ? "/" : uri.AbsolutePath;
        var canonical = $"{method}\n{path}\n{query}\n{canonicalHeaders}\n{string.Join(';', signed)}\n{Hex(SHA256.HashData(payload))}";
        var scope = $"{date}/{region}/{service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{timestamp}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in new[] { date, region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        return $"AWS4-HMAC-SHA256 Credential={keyId}/{scope}, SignedHeaders={string.Join(';', signed)}, Signature={signature}";
    }

    private static string Encode(string value) => Uri.EscapeDataString(value);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
