namespace Infrar.Catalog.Gcp;

/// <summary>
/// Google Cloud Storage's client and the helpers its operations share. The generator writes these members into a
/// file-local class of this name beside the interceptors, as they are here.
/// </summary>
internal static class GoogleCloudStorage
{
    private const string Scope = "https://www.googleapis.com/auth/devstorage.read_write";
    private const string DefaultEndpoint = "https://storage.googleapis.com";

    private static readonly string? EmulatorHost = global::System.Environment.GetEnvironmentVariable("STORAGE_EMULATOR_HOST");

    private static readonly global::System.Lazy<global::System.Threading.Tasks.Task<global::Google.Apis.Auth.OAuth2.GoogleCredential>> LazyCredential =
        new(LoadCredentialAsync);

    /// <summary>The JSON API's root: STORAGE_EMULATOR_HOST when set (then requests go unauthenticated, as Google's libraries do), else storage.googleapis.com.</summary>
    public static readonly global::System.Uri Endpoint = new(string.IsNullOrEmpty(EmulatorHost)
        ? DefaultEndpoint
        : EmulatorHost.Contains("://", global::System.StringComparison.Ordinal) ? EmulatorHost : "http://" + EmulatorHost);

    private static readonly global::System.Lazy<global::System.Net.Http.HttpClient> LazyHttp = new(CreateHttp);

    /// <summary>
    /// The process's one HTTP client for storage requests: on the handler given to Infrar.CloudClients.UseHttpHandler,
    /// or else one that recycles connections so DNS changes are seen.
    /// </summary>
    public static global::System.Net.Http.HttpClient Http => LazyHttp.Value;

    private static global::System.Net.Http.HttpClient CreateHttp() =>
        new(global::Infrar.CloudClients.CreateHttpHandler() ?? new global::System.Net.Http.SocketsHttpHandler
        {
            PooledConnectionLifetime = global::System.TimeSpan.FromMinutes(5),
        });

    private static async global::System.Threading.Tasks.Task<global::Google.Apis.Auth.OAuth2.GoogleCredential> LoadCredentialAsync()
    {
        var credential = await global::Google.Apis.Auth.OAuth2.GoogleCredential.GetApplicationDefaultAsync().ConfigureAwait(false);
        return credential.IsCreateScopedRequired ? credential.CreateScoped(Scope) : credential;
    }

    public static string ObjectPath(global::Infrar.Bucket bucket, string key) =>
        $"storage/v1/b/{(global::System.Uri.EscapeDataString(bucket.PhysicalName))}/o/{(global::System.Uri.EscapeDataString(key))}";

    /// <summary>Sends a JSON API request with an OAuth token; an error response becomes an <see cref="ApiException"/>.</summary>
    public static async global::System.Threading.Tasks.Task<global::System.Net.Http.HttpResponseMessage> SendAsync(
        global::System.Net.Http.HttpRequestMessage request,
        global::System.Threading.CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(EmulatorHost))
        {
            var credential = await LazyCredential.Value.ConfigureAwait(false);
            var token = await ((global::Google.Apis.Auth.OAuth2.ITokenAccess)credential).GetAccessTokenForRequestAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = new global::System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        var response = await Http.SendAsync(request, global::System.Net.Http.HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ApiException.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    public static async global::System.Threading.Tasks.Task<global::System.Text.Json.JsonDocument> GetJsonAsync(string pathAndQuery, global::System.Threading.CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new global::System.Net.Http.HttpRequestMessage(global::System.Net.Http.HttpMethod.Get, new global::System.Uri(Endpoint, pathAndQuery)), cancellationToken).ConfigureAwait(false);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await global::System.Text.Json.JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes an object with one multipart upload: its JSON resource, then its content.</summary>
    public static async global::System.Threading.Tasks.Task UploadAsync(
        global::Infrar.Bucket bucket,
        string key,
        global::System.Net.Http.HttpContent media,
        global::Infrar.UploadOptions? options,
        global::System.Threading.CancellationToken cancellationToken)
    {
        var contentType = options?.ContentType ?? "application/octet-stream";
        media.Headers.ContentType = global::System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        var condition = options?.IfNotExists == true ? "&ifGenerationMatch=0" : "";
        global::System.Net.Http.HttpContent body;
        string query;
        if (options?.Metadata is not { Count: > 0 } metadata)
        {
            // Nothing but the content and its type: a media upload, one part, the name in the query.
            body = media;
            query = "uploadType=media&name=" + global::System.Uri.EscapeDataString(key) + condition;
        }
        else
        {
            // Custom metadata travels in a JSON resource before the content: a multipart upload.
            var resource = new global::System.IO.MemoryStream();
            using (var json = new global::System.Text.Json.Utf8JsonWriter(resource))
            {
                json.WriteStartObject();
                json.WriteString("name", key);
                json.WriteString("contentType", contentType);
                json.WriteStartObject("metadata");
                foreach (var pair in metadata)
                {
                    json.WriteString(pair.Key, pair.Value);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            var resourcePart = new global::System.Net.Http.ByteArrayContent(resource.ToArray());
            resourcePart.Headers.ContentType = new global::System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "UTF-8" };
            body = new global::System.Net.Http.MultipartContent("related") { resourcePart, media };
            query = "uploadType=multipart" + condition;
        }

        var uri = new global::System.Uri(Endpoint, $"upload/storage/v1/b/{(global::System.Uri.EscapeDataString(bucket.PhysicalName))}/o?{query}");
        using var request = new global::System.Net.Http.HttpRequestMessage(global::System.Net.Http.HttpMethod.Post, uri) { Content = body };
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens an object's content (the download endpoint with alt=media).</summary>
    public static async global::System.Threading.Tasks.Task<global::System.Net.Http.HttpResponseMessage> DownloadAsync(
        global::Infrar.Bucket bucket,
        string key,
        global::System.Threading.CancellationToken cancellationToken)
    {
        var uri = new global::System.Uri(Endpoint, "download/" + ObjectPath(bucket, key) + "?alt=media");
        return await SendAsync(new global::System.Net.Http.HttpRequestMessage(global::System.Net.Http.HttpMethod.Get, uri), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies with objects.rewrite, calling again with the rewrite token until Cloud Storage reports it done.</summary>
    public static async global::System.Threading.Tasks.Task RewriteAsync(
        global::Infrar.Bucket source,
        string sourceKey,
        global::Infrar.Bucket destination,
        string destinationKey,
        global::System.Threading.CancellationToken cancellationToken)
    {
        var path = $"{ObjectPath(source, sourceKey)}/rewriteTo/b/{(global::System.Uri.EscapeDataString(destination.PhysicalName))}/o/{(global::System.Uri.EscapeDataString(destinationKey))}";
        string? token = null;
        while (true)
        {
            var uri = new global::System.Uri(Endpoint, token is null ? path : $"{path}?rewriteToken={(global::System.Uri.EscapeDataString(token))}");
            using var request = new global::System.Net.Http.HttpRequestMessage(global::System.Net.Http.HttpMethod.Post, uri)
            {
                Content = new global::System.Net.Http.StringContent("{}", global::System.Text.Encoding.UTF8, "application/json"),
            };
            using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var result = await global::System.Text.Json.JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (result.RootElement.GetProperty("done").GetBoolean())
            {
                return;
            }

            token = result.RootElement.GetProperty("rewriteToken").GetString();
        }
    }

    public static global::Infrar.ObjectInfo ToObjectInfo(string key, global::System.Text.Json.JsonElement resource)
    {
        var metadata = new global::System.Collections.Generic.Dictionary<string, string>();
        if (resource.TryGetProperty("metadata", out var given))
        {
            foreach (var pair in given.EnumerateObject())
            {
                metadata[pair.Name] = pair.Value.GetString() ?? "";
            }
        }

        return new global::Infrar.ObjectInfo(
            key,
            long.Parse(resource.GetProperty("size").GetString()!, global::System.Globalization.CultureInfo.InvariantCulture),
            resource.TryGetProperty("contentType", out var type) ? type.GetString()! : "application/octet-stream",
            resource.GetProperty("etag").GetString()!,
            resource.GetProperty("updated").GetDateTimeOffset(),
            metadata);
    }

    /// <summary>A page's objects and prefixes, merged back into name order.</summary>
    public static global::System.Collections.Generic.List<global::Infrar.ListEntry> Entries(global::System.Text.Json.JsonElement page)
    {
        var entries = new global::System.Collections.Generic.List<global::Infrar.ListEntry>();
        if (page.TryGetProperty("items", out var items))
        {
            foreach (var item in items.EnumerateArray())
            {
                entries.Add(global::Infrar.ListEntry.Object(
                    item.GetProperty("name").GetString()!,
                    long.Parse(item.GetProperty("size").GetString()!, global::System.Globalization.CultureInfo.InvariantCulture),
                    item.GetProperty("etag").GetString(),
                    item.GetProperty("updated").GetDateTimeOffset()));
            }
        }

        if (page.TryGetProperty("prefixes", out var prefixes))
        {
            foreach (var prefix in prefixes.EnumerateArray())
            {
                entries.Add(global::Infrar.ListEntry.Prefix(prefix.GetString()!));
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return entries;
    }

    /// <summary>
    /// A V4 signed URL (GOOG4-RSA-SHA256), signed by the application-default credential: locally with a service
    /// account key, or through the IAM signBlob API for the metadata server's service account.
    /// </summary>
    public static async global::System.Threading.Tasks.Task<global::System.Uri> SignAsync(
        global::Infrar.Bucket bucket,
        string key,
        string verb,
        global::System.TimeSpan expiresIn,
        global::System.Threading.CancellationToken cancellationToken)
    {
        var seconds = (long)expiresIn.TotalSeconds;
        if (seconds < 1 || seconds > 604800)
        {
            throw new global::System.ArgumentOutOfRangeException(nameof(expiresIn), expiresIn, "Cloud Storage signed URLs last from 1 second to 7 days.");
        }

        var credential = (await LazyCredential.Value.ConfigureAwait(false)).UnderlyingCredential;
        var email = credential switch
        {
            global::Google.Apis.Auth.OAuth2.ServiceAccountCredential account => account.Id,
            global::Google.Apis.Auth.OAuth2.ComputeCredential compute => await compute.GetDefaultServiceAccountEmailAsync(cancellationToken).ConfigureAwait(false),
            _ => throw new global::System.InvalidOperationException("Cloud Storage signed URLs need a service account credential (a key file or the metadata server)."),
        };
        var signer = (global::Google.Apis.Auth.OAuth2.IBlobSigner)credential;

        var now = global::System.DateTime.UtcNow;
        var date = now.ToString("yyyyMMdd", global::System.Globalization.CultureInfo.InvariantCulture);
        var timestamp = now.ToString("yyyyMMdd'T'HHmmss'Z'", global::System.Globalization.CultureInfo.InvariantCulture);
        var scope = $"{date}/auto/storage/goog4_request";
        var host = Endpoint.IsDefaultPort ? Endpoint.Host : $"{Endpoint.Host}:{Endpoint.Port}";
        var path = "/" + global::System.Uri.EscapeDataString(bucket.PhysicalName) + "/" + string.Join("/", global::System.Linq.Enumerable.Select(key.Split('/'), global::System.Uri.EscapeDataString));
        var query =
            "X-Goog-Algorithm=GOOG4-RSA-SHA256" +
            "&X-Goog-Credential=" + global::System.Uri.EscapeDataString($"{email}/{scope}") +
            "&X-Goog-Date=" + timestamp +
            "&X-Goog-Expires=" + seconds.ToString(global::System.Globalization.CultureInfo.InvariantCulture) +
            "&X-Goog-SignedHeaders=host";
        var canonicalRequest = $"{verb}\n{path}\n{query}\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD";
        var hash = global::System.Convert.ToHexStringLower(global::System.Security.Cryptography.SHA256.HashData(global::System.Text.Encoding.UTF8.GetBytes(canonicalRequest)));
        var stringToSign = $"GOOG4-RSA-SHA256\n{timestamp}\n{scope}\n{hash}";
        var signature = await signer.SignBlobAsync(global::System.Text.Encoding.UTF8.GetBytes(stringToSign), cancellationToken).ConfigureAwait(false);
        var hex = global::System.Convert.ToHexStringLower(global::System.Convert.FromBase64String(signature));
        return new global::System.Uri($"{Endpoint.Scheme}://{host}{path}?{query}&X-Goog-Signature={hex}");
    }

    /// <summary>An error answer of the JSON API: its HTTP status, the first error's reason and its message.</summary>
    /// <summary>Whether a 404 is about the bucket rather than the object: Cloud Storage says so only in its message.</summary>
    public static bool IsMissingBucket(ApiException e) =>
        e.Message.Contains("bucket does not exist", global::System.StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Which bucket of a copy is missing: Cloud Storage does not say, and the source is the one this call may look at
    /// (reading its object's metadata tells whether its bucket exists).
    /// </summary>
    public static async global::System.Threading.Tasks.Task<global::System.Exception> MissingBucketAsync(
        ApiException e,
        global::Infrar.Bucket source,
        string sourceKey,
        global::Infrar.Bucket destination,
        string destinationKey,
        global::System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            using var probe = await GetJsonAsync(ObjectPath(source, sourceKey) + "?fields=name", cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException missing) when (missing.Status == 404 && IsMissingBucket(missing))
        {
            return new global::Infrar.BucketNotFoundException("gcp", source.PhysicalName, sourceKey, e.Reason, e);
        }
        catch (ApiException)
        {
            // The source's bucket exists: the destination's is the missing one.
        }

        return new global::Infrar.BucketNotFoundException("gcp", destination.PhysicalName, destinationKey, e.Reason, e);
    }

    public sealed class ApiException(int status, string? reason, string message) : global::System.Exception(message)
    {
        public int Status { get; } = status;

        public string? Reason { get; } = reason;

        public static async global::System.Threading.Tasks.Task<ApiException> ReadAsync(
            global::System.Net.Http.HttpResponseMessage response,
            global::System.Threading.CancellationToken cancellationToken)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            string? reason = null;
            var message = text;
            try
            {
                using var json = global::System.Text.Json.JsonDocument.Parse(text);
                var error = json.RootElement.GetProperty("error");
                message = error.TryGetProperty("message", out var m) ? m.GetString() ?? text : text;
                if (error.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0 && errors[0].TryGetProperty("reason", out var r))
                {
                    reason = r.GetString();
                }
            }
            catch (global::System.Text.Json.JsonException)
            {
            }
            catch (global::System.Collections.Generic.KeyNotFoundException)
            {
            }

            return new ApiException((int)response.StatusCode, reason, $"Cloud Storage answered {(int)response.StatusCode}: {message}");
        }
    }

    /// <summary>Maps a Google Cloud Storage error onto Infrar's storage exceptions: first match wins, the rest is a StorageException.</summary>
    public static global::System.Exception Error(GoogleCloudStorage.ApiException e, global::Infrar.Bucket bucket, string? key) => (e.Reason, e.Status) switch
    {
        (_, 404) when GoogleCloudStorage.IsMissingBucket(e) => new global::Infrar.BucketNotFoundException("gcp", bucket.PhysicalName, key, e.Reason, e),
        (_, 404) => new global::Infrar.ObjectNotFoundException("gcp", bucket.PhysicalName, key, e.Reason, e),
        ("conditionNotMet", _) => new global::Infrar.ObjectAlreadyExistsException("gcp", bucket.PhysicalName, key, e.Reason, e),
        (_, 412) => new global::Infrar.ObjectAlreadyExistsException("gcp", bucket.PhysicalName, key, e.Reason, e),
        (_, 401) => new global::Infrar.AccessDeniedException("gcp", bucket.PhysicalName, key, e.Reason, e),
        (_, 403) => new global::Infrar.AccessDeniedException("gcp", bucket.PhysicalName, key, e.Reason, e),
        _ => new global::Infrar.StorageException(e.Message, "gcp", bucket.PhysicalName, key, e.Reason, e),
    };
}
