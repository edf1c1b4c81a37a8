using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Infrar.Testing;

namespace Infrar.Testing;

/// <summary>
/// An in-process Cloud Storage that answers the JSON API (storage/v1) requests Google.Cloud.Storage.V1 makes, in the
/// documented request and response shapes, over real HTTP on 127.0.0.1. No Cloud Storage emulator can run here, so
/// this stands in: a request that departs from the documented shape is refused with 400 and recorded in
/// <see cref="Violations"/>, so the suite fails on it.
/// </summary>
/// <remarks>
/// Documented behaviour it enforces: object names percent-encoded as one path segment; gzip request bodies;
/// uploads with <c>uploadType=media</c>, <c>uploadType=multipart</c> (<c>multipart/related</c>: JSON resource, then
/// media) or <c>uploadType=resumable</c> (a session URI in Location, then PUTs with <c>Content-Range</c>, chunks
/// before the last in multiples of 256 KiB, 308 with the Range held until the last, whose <c>X-Goog-Hash</c> is
/// checked against what arrived); <c>ifGenerationMatch=0</c> answered 412 <c>conditionNotMet</c>; downloads with
/// <c>alt=media</c>, whole or by <c>Range</c> (206), with the object's CRC32C and MD5 in <c>X-Goog-Hash</c>; list pages
/// joined by <c>nextPageToken</c> (pages of <see cref="PageSize"/> so paging is exercised); copies by <c>rewriteTo</c>
/// that need a second call with the <c>rewriteToken</c>; errors as <c>{"error":{"code","message","errors":[{"reason"}]}}</c>;
/// V4 signed URLs (GOOG4-RSA-SHA256) checked against the service account's public key and their expiry. Faults can be
/// injected: a status for the next requests, a byte flipped in a download or an upload.
/// </remarks>
public sealed class CloudStorageContractServer : IAsyncDisposable
{
    public const int PageSize = 3;

    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, StoredObject>> _buckets = new();
    private readonly ConcurrentDictionary<string, UploadSession> _sessions = new();
    private readonly ConcurrentQueue<(string Method, int Status)> _faults = new();
    private readonly ConcurrentDictionary<(string Bucket, string Name), int> _writes = new();
    private int _failuresServed;
    private int _corruptDownloads;
    private int _corruptUploads;
    private readonly RSA _signerKey;
    private readonly string _signerEmail;
    private readonly Task _loop;
    private long _generation = 1_700_000_000_000_000;

    public CloudStorageContractServer(int port, RSA signerKey, string signerEmail, IEnumerable<string> buckets)
    {
        Port = port;
        _signerKey = signerKey;
        _signerEmail = signerEmail;
        foreach (var bucket in buckets)
        {
            _buckets[bucket] = new ConcurrentDictionary<string, StoredObject>();
        }

        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(() => AcceptLoop.RunAsync(_listener, HandleAsync));
    }

    public int Port { get; }

    /// <summary>Requests that did not match the documented API.</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>How many requests were answered with an injected failure (<see cref="FailNext"/>).</summary>
    public int FailuresServed => _failuresServed;

    /// <summary>Answers the next <paramref name="times"/> requests with <paramref name="method"/> with <paramref name="status"/>, as an overloaded Cloud Storage does.</summary>
    public void FailNext(string method, int status, int times)
    {
        for (var i = 0; i < times; i++)
        {
            _faults.Enqueue((method, status));
        }
    }

    /// <summary>Flips a byte of the next download's content, as a fault on the way would; its X-Goog-Hash stays the stored object's.</summary>
    public void CorruptNextDownload() => Interlocked.Exchange(ref _corruptDownloads, 1);

    /// <summary>Flips a byte of the next resumable upload's content as it arrives, as a fault on the way would: the X-Goog-Hash the client sent no longer matches.</summary>
    public void CorruptNextUpload() => Interlocked.Exchange(ref _corruptUploads, 1);

    /// <summary>How long each upload request waits before it is answered, as a slow network makes it: 0 unless set.</summary>
    public TimeSpan WriteDelay { get; set; }

    /// <summary>How many times an object of that name was stored (each completed upload or copy counts once).</summary>
    public int Writes(string bucket, string name) => _writes.TryGetValue((bucket, name), out var count) ? count : 0;

    /// <summary>Whether an object is stored under that name.</summary>
    public bool Holds(string bucket, string name) => _buckets.TryGetValue(bucket, out var objects) && objects.ContainsKey(name);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
        {
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var request = context.Request;
            var raw = request.RawUrl ?? "/";
            var queryAt = raw.IndexOf('?');
            var rawPath = queryAt < 0 ? raw : raw[..queryAt];
            var rawQuery = queryAt < 0 ? "" : raw[(queryAt + 1)..];
            var query = ParseQuery(rawQuery);
            var segments = rawPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
            var body = await ReadBodyAsync(request);
            if (WriteDelay > TimeSpan.Zero && request.HttpMethod is "POST" or "PUT")
            {
                await Task.Delay(WriteDelay);
            }

            var answerHeaders = new Dictionary<string, string>();
            var (status, contentType, payload) = Route(request.HttpMethod, rawPath, segments, query, request.Headers, body, answerHeaders);
            response.StatusCode = status;
            foreach (var (name, value) in answerHeaders)
            {
                response.Headers[name] = value;
            }

            if (payload.Length > 0)
            {
                response.ContentType = contentType;
                response.ContentLength64 = payload.Length;
                await response.OutputStream.WriteAsync(payload);
            }
        }
        catch (Exception e)
        {
            Violations.Enqueue("server failed: " + e);
            response.StatusCode = 500;
        }
        finally
        {
            response.Close();
        }
    }

    private (int Status, string ContentType, byte[] Body) Route(string method, string rawPath, string[] s, Dictionary<string, string> query, System.Collections.Specialized.NameValueCollection headers, byte[] body, Dictionary<string, string> answerHeaders)
    {
        if (query.ContainsKey("X-Goog-Signature"))
        {
            return Signed(method, rawPath, s, query, headers, body);
        }

        if (headers["Authorization"] is { } authorization && !authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Violation($"Authorization must be a Bearer token, was '{authorization.Split(' ')[0]}'");
        }

        if (_faults.TryPeek(out var fault) && fault.Method == method && _faults.TryDequeue(out _))
        {
            Interlocked.Increment(ref _failuresServed);
            return Error(fault.Status, "backendError", "Injected failure: the service is unavailable, try again.");
        }

        return (method, s) switch
        {
            ("POST", ["upload", "storage", "v1", "b", var bucket, "o"]) when query.GetValueOrDefault("uploadType") == "resumable" => StartResumable(bucket, query, headers, body, answerHeaders),
            ("PUT", ["upload", "storage", "v1", "b", var bucket, "o"]) => ContinueResumable(bucket, query, headers, body, answerHeaders),
            ("POST", ["upload", "storage", "v1", "b", var bucket, "o"]) => Upload(bucket, query, headers, body, answerHeaders),
            ("GET", ["download", "storage", "v1", "b", var bucket, "o", var name]) => Download(bucket, name, query, headers, answerHeaders),
            ("GET", ["storage", "v1", "b", var bucket, "o"]) => List(bucket, query),
            ("GET", ["storage", "v1", "b", var bucket, "o", var name]) => query.GetValueOrDefault("alt") == "media" ? Download(bucket, name, query, headers, answerHeaders) : Get(bucket, name),
            ("DELETE", ["storage", "v1", "b", var bucket, "o", var name]) => Delete(bucket, name),
            ("POST", ["storage", "v1", "b", var sb, "o", var so, "rewriteTo", "b", var db, "o", var dn]) => Rewrite(sb, so, db, dn, query),
            _ => Violation($"{method} {rawPath} is not a Cloud Storage JSON API endpoint (object names must be percent-encoded as one path segment)"),
        };
    }

    private (int, string, byte[]) Upload(string bucket, Dictionary<string, string> query, System.Collections.Specialized.NameValueCollection headers, byte[] body, Dictionary<string, string> answerHeaders)
    {
        var uploadType = query.GetValueOrDefault("uploadType");
        var contentType = headers["Content-Type"] ?? "";
        string? name;
        JsonObject resource;
        byte[] content;
        string mediaType;
        if (uploadType == "media")
        {
            name = query.GetValueOrDefault("name");
            if (string.IsNullOrEmpty(name))
            {
                return Violation("a media upload names the object in the name query parameter");
            }

            if (contentType.Length == 0)
            {
                return Violation("a media upload sends the object's content type as its Content-Type");
            }

            (resource, content, mediaType) = ([], body, contentType);
        }
        else if (uploadType == "multipart")
        {
            var boundary = contentType.Split(';').Select(p => p.Trim()).FirstOrDefault(p => p.StartsWith("boundary=", StringComparison.Ordinal))?["boundary=".Length..].Trim('"');
            if (!contentType.StartsWith("multipart/related", StringComparison.Ordinal) || string.IsNullOrEmpty(boundary))
            {
                return Violation($"a multipart upload must be multipart/related with a boundary, was '{contentType}'");
            }

            var parts = MultipartParts(body, boundary);
            if (parts.Count != 2)
            {
                return Violation($"a multipart upload has exactly two parts (resource, media), had {parts.Count}");
            }

            if (!parts[0].ContentType.StartsWith("application/json", StringComparison.Ordinal))
            {
                return Violation($"the first part must be the JSON object resource, was '{parts[0].ContentType}'");
            }

            resource = JsonNode.Parse(parts[0].Content)!.AsObject();
            name = resource["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(name))
            {
                return Violation("the object resource must have a name");
            }

            (content, mediaType) = (parts[1].Content, parts[1].ContentType);
        }
        else
        {
            return Violation($"uploadType must be media or multipart for a one-request upload, was '{uploadType}'");
        }

        return Store(bucket, name, resource, content, mediaType, query, answerHeaders);
    }

    /// <summary>Keeps an uploaded object, honouring <c>ifGenerationMatch=0</c>; answers its resource, and its hashes in <c>X-Goog-Hash</c>.</summary>
    private (int, string, byte[]) Store(string bucket, string name, JsonObject resource, byte[] content, string mediaType, Dictionary<string, string> query, Dictionary<string, string> answerHeaders)
    {
        if (!_buckets.TryGetValue(bucket, out var objects))
        {
            return BucketMissing();
        }

        var metadata = resource["metadata"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [];
        var stored = new StoredObject(content, resource["contentType"]?.GetValue<string>() ?? mediaType, metadata, Interlocked.Increment(ref _generation), DateTimeOffset.UtcNow);
        if (query.TryGetValue("ifGenerationMatch", out var match))
        {
            if (match != "0")
            {
                return Violation($"Infrar only sends ifGenerationMatch=0, got {match}");
            }

            if (!objects.TryAdd(name, stored))
            {
                return Error(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
            }
        }
        else
        {
            objects[name] = stored;
        }

        _writes.AddOrUpdate((bucket, name), 1, (_, count) => count + 1);
        answerHeaders["X-Goog-Hash"] = Hashes(stored.Content);
        return Json(Resource(bucket, name, stored));
    }

    /// <summary>
    /// Starts a resumable upload: the object resource (or the name in the query) and its preconditions now, the content
    /// later in one or more PUTs to the session URI answered in Location.
    /// </summary>
    private (int, string, byte[]) StartResumable(string bucket, Dictionary<string, string> query, System.Collections.Specialized.NameValueCollection headers, byte[] body, Dictionary<string, string> answerHeaders)
    {
        var resource = body.Length == 0 ? [] : JsonNode.Parse(body)?.AsObject() ?? [];
        var name = resource["name"]?.GetValue<string>() ?? query.GetValueOrDefault("name");
        if (string.IsNullOrEmpty(name))
        {
            return Violation("a resumable upload names the object in its resource or in the name query parameter");
        }

        if (!_buckets.ContainsKey(bucket))
        {
            return BucketMissing();
        }

        long? declaredLength = long.TryParse(headers["X-Upload-Content-Length"], out var length) ? length : null;
        var id = Guid.NewGuid().ToString("N");
        _sessions[id] = new UploadSession(bucket, name, resource, headers["X-Upload-Content-Type"] ?? "application/octet-stream", declaredLength, new Dictionary<string, string>(query));
        answerHeaders["Location"] = $"http://127.0.0.1:{Port}/upload/storage/v1/b/{Uri.EscapeDataString(bucket)}/o?uploadType=resumable&upload_id={id}";
        return (200, "", []);
    }

    /// <summary>
    /// One PUT of a resumable upload: <c>Content-Range: bytes first-last/total</c> (total <c>*</c> while unknown), or
    /// <c>bytes */total</c> to ask or finish. Chunks other than the last are multiples of 256 KiB, as documented; an
    /// unfinished upload is answered 308 with the Range held; the last one stores the object, checked against any
    /// <c>X-Goog-Hash</c> the client sent.
    /// </summary>
    private (int, string, byte[]) ContinueResumable(string bucket, Dictionary<string, string> query, System.Collections.Specialized.NameValueCollection headers, byte[] body, Dictionary<string, string> answerHeaders)
    {
        if (query.GetValueOrDefault("uploadType") != "resumable" || !_sessions.TryGetValue(query.GetValueOrDefault("upload_id") ?? "", out var session) || session.Bucket != bucket)
        {
            return Violation("a PUT to upload/storage/v1 must be to a session URI a resumable upload answered");
        }

        var range = headers["Content-Range"] ?? (body.Length == 0 ? null : "");
        var match = range is null ? null : System.Text.RegularExpressions.Regex.Match(range, @"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$");
        if (range is not null && !match!.Success)
        {
            return Violation($"Content-Range must be 'bytes first-last/total', 'bytes first-last/*' or 'bytes */total', was '{range}'");
        }

        long? total = match is null || match.Groups[3].Value == "*" ? null : long.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture);
        lock (session)
        {
            if (match is not null && match.Groups[1].Success)
            {
                var first = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
                var last = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
                if (first != session.Content.Length || last - first + 1 != body.Length)
                {
                    return Violation($"chunk {first}-{last} ({body.Length} bytes) does not continue the {session.Content.Length} bytes held");
                }

                if (total is null && body.Length % (256 * 1024) != 0)
                {
                    return Violation($"a chunk before the last must be a multiple of 256 KiB, was {body.Length} bytes");
                }

                session.Content.Write(body);
            }

            if (total is null || session.Content.Length < total)
            {
                if (session.Content.Length > 0)
                {
                    answerHeaders["Range"] = $"bytes=0-{session.Content.Length - 1}";
                }

                return (308, "", []);
            }

            if (session.Content.Length != total || (session.DeclaredLength is { } declared && declared != total))
            {
                return Violation($"the upload ended at {session.Content.Length} bytes but declared {total}");
            }

            var content = session.Content.ToArray();
            if (Interlocked.Exchange(ref _corruptUploads, 0) == 1 && content.Length > 0)
            {
                content = [(byte)(content[0] ^ 0xFF), .. content.AsSpan(1)];
            }

            if (headers["X-Goog-Hash"] is { } hashes && CheckHashes(hashes, content) is { } mismatch)
            {
                return Error(400, "invalid", mismatch);
            }

            _sessions.TryRemove(query["upload_id"], out _);
            return Store(bucket, session.Name, session.Resource, content, session.Resource["contentType"]?.GetValue<string>() ?? session.ContentType, session.Query, answerHeaders);
        }
    }

    /// <summary>Checks an <c>X-Goog-Hash</c> header (<c>crc32c=…,md5=…</c>, base64) against the content.</summary>
    private static string? CheckHashes(string header, byte[] content)
    {
        foreach (var pair in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (algorithm, value) = pair.IndexOf('=') is var at and > 0 ? (pair[..at], pair[(at + 1)..]) : (pair, "");
            var expected = algorithm switch
            {
                "crc32c" => CloudStorageHashes.Crc32C(content),
                "md5" => CloudStorageHashes.Md5(content),
                _ => null,
            };
            if (expected is null)
            {
                return $"X-Goog-Hash names an unknown algorithm '{algorithm}'";
            }

            if (expected != value)
            {
                return $"Provided {algorithm} \"{value}\" doesn't match calculated {algorithm} \"{expected}\".";
            }
        }

        return null;
    }

    private static string Hashes(byte[] content) => CloudStorageHashes.Header(content);

    /// <summary>
    /// An object's content (alt=media), whole or the <c>Range: bytes=first-last</c> asked (206), with the whole
    /// object's hashes in <c>X-Goog-Hash</c> as Cloud Storage sends them for validation.
    /// </summary>
    private (int, string, byte[]) Download(string bucket, string name, Dictionary<string, string> query, System.Collections.Specialized.NameValueCollection headers, Dictionary<string, string> answerHeaders)
    {
        if (query.GetValueOrDefault("alt") != "media")
        {
            return Violation("a download must ask for alt=media");
        }

        if (Find(bucket, name, out var stored) is { } missing)
        {
            return missing;
        }

        var content = stored!.Content;
        answerHeaders["X-Goog-Hash"] = Hashes(content);
        if (Interlocked.Exchange(ref _corruptDownloads, 0) == 1 && content.Length > 0)
        {
            content = [(byte)(content[0] ^ 0xFF), .. content.AsSpan(1)];
        }

        answerHeaders["X-Goog-Generation"] = stored.Generation.ToString(CultureInfo.InvariantCulture);
        if (headers["Range"] is not { } range)
        {
            return (200, stored.ContentType, content);
        }

        var match = System.Text.RegularExpressions.Regex.Match(range, @"^bytes=(\d+)-(\d*)$");
        if (!match.Success)
        {
            return Violation($"Range must be 'bytes=first-last' or 'bytes=first-', was '{range}'");
        }

        var first = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var last = match.Groups[2].Length == 0 ? content.Length - 1 : Math.Min(long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture), content.Length - 1);
        if (content.Length == 0 && first == 0)
        {
            return (200, stored.ContentType, content);
        }

        if (first >= content.Length)
        {
            answerHeaders["Content-Range"] = $"bytes */{content.Length}";
            return Error(416, "requestedRangeNotSatisfiable", "The requested range cannot be satisfied.");
        }

        answerHeaders["Content-Range"] = $"bytes {first}-{last}/{content.Length}";
        return (206, stored.ContentType, content[(int)first..(int)(last + 1)]);
    }

    private (int, string, byte[]) Get(string bucket, string name) =>
        Find(bucket, name, out var stored) is { } missing ? missing : Json(Resource(bucket, name, stored!));

    private (int, string, byte[]) Delete(string bucket, string name)
    {
        if (Find(bucket, name, out _) is { } missing)
        {
            return missing;
        }

        _buckets[bucket].TryRemove(name, out _);
        return (204, "", []);
    }

    private (int, string, byte[]) List(string bucket, Dictionary<string, string> query)
    {
        if (!_buckets.TryGetValue(bucket, out var objects))
        {
            return BucketMissing();
        }

        var prefix = query.GetValueOrDefault("prefix") ?? "";
        var delimiter = query.GetValueOrDefault("delimiter");
        var after = query.TryGetValue("pageToken", out var token) ? Encoding.UTF8.GetString(Convert.FromBase64String(token)) : null;
        var names = objects.Keys.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal);

        // Entries are objects or, with a delimiter, the prefixes that group them; a page holds PageSize entries.
        var entries = new List<(string Key, bool IsPrefix)>();
        foreach (var name in names)
        {
            var at = delimiter is null ? -1 : name.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
            var entry = at < 0 ? (name, false) : (name[..(at + delimiter!.Length)], true);
            if (entries.Count == 0 || entries[^1] != entry)
            {
                entries.Add(entry);
            }
        }

        var page = entries.Where(e => after is null || string.CompareOrdinal(e.Key, after) > 0).Take(PageSize + 1).ToList();
        var result = new JsonObject { ["kind"] = "storage#objects" };
        var shown = page.Take(PageSize).ToList();
        var items = shown.Where(e => !e.IsPrefix).Select(e => (JsonNode)Resource(bucket, e.Key, objects[e.Key])).ToArray();
        var prefixes = shown.Where(e => e.IsPrefix).Select(e => (JsonNode)JsonValue.Create(e.Key)).ToArray();
        if (items.Length > 0)
        {
            result["items"] = new JsonArray(items);
        }

        if (prefixes.Length > 0)
        {
            result["prefixes"] = new JsonArray(prefixes);
        }

        if (page.Count > PageSize)
        {
            result["nextPageToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(shown[^1].Key));
        }

        return Json(result);
    }

    private (int, string, byte[]) Rewrite(string sourceBucket, string sourceName, string destinationBucket, string destinationName, Dictionary<string, string> query)
    {
        if (Find(sourceBucket, sourceName, out var stored) is { } missing)
        {
            return missing;
        }

        if (!_buckets.TryGetValue(destinationBucket, out var destination))
        {
            return BucketMissing();
        }

        // The first call answers "not done yet", as large or cross-location rewrites do: the client must call again.
        if (!query.TryGetValue("rewriteToken", out var token))
        {
            return Json(new JsonObject { ["kind"] = "storage#rewriteResponse", ["done"] = false, ["rewriteToken"] = "continue-" + sourceName, ["totalBytesRewritten"] = "0", ["objectSize"] = stored!.Content.Length.ToString(CultureInfo.InvariantCulture) });
        }

        if (token != "continue-" + sourceName)
        {
            return Violation($"the rewriteToken must be the one the previous call returned, was '{token}'");
        }

        var copy = stored! with { Generation = Interlocked.Increment(ref _generation), Updated = DateTimeOffset.UtcNow };
        destination[destinationName] = copy;
        return Json(new JsonObject { ["kind"] = "storage#rewriteResponse", ["done"] = true, ["resource"] = Resource(destinationBucket, destinationName, copy) });
    }

    private (int, string, byte[]) Signed(string method, string rawPath, string[] segments, Dictionary<string, string> query, System.Collections.Specialized.NameValueCollection headers, byte[] body)
    {
        if (segments.Length < 2)
        {
            return Violation("a signed URL names /bucket/object");
        }

        var credential = query.GetValueOrDefault("X-Goog-Credential") ?? "";
        var date = query.GetValueOrDefault("X-Goog-Date") ?? "";
        if (query.GetValueOrDefault("X-Goog-Algorithm") != "GOOG4-RSA-SHA256"
            || query.GetValueOrDefault("X-Goog-SignedHeaders") != "host"
            || !credential.StartsWith(_signerEmail + "/" + date[..Math.Min(8, date.Length)] + "/auto/storage/goog4_request", StringComparison.Ordinal)
            || !long.TryParse(query.GetValueOrDefault("X-Goog-Expires"), out var expires)
            || !DateTime.TryParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return Violation("a V4 signed URL needs X-Goog-Algorithm=GOOG4-RSA-SHA256, X-Goog-Credential=<email>/<date>/auto/storage/goog4_request, X-Goog-Date, X-Goog-Expires and X-Goog-SignedHeaders=host");
        }

        if (DateTime.UtcNow > signedAt.AddSeconds(expires))
        {
            return XmlError(400, "ExpiredToken", "Invalid argument.");
        }

        var canonicalQuery = string.Join("&", query
            .Where(p => p.Key != "X-Goog-Signature")
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        // The host as sent, and without its port: Google's UrlSigner signs the host name alone even when told a port
        // (Cloud Storage itself is only ever on 443, where the two are the same).
        var host = headers["Host"] ?? "";
        var signature = Convert.FromHexString(query["X-Goog-Signature"]);
        if (!new[] { host, host.Split(':')[0] }.Any(signedHost => SignatureHolds(method, rawPath, canonicalQuery, signedHost, date, credential, signature)))
        {
            return XmlError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
        }

        var bucket = segments[0];
        var name = string.Join("/", segments[1..]);
        switch (method)
        {
            case "GET":
                return Find(bucket, name, out var stored) is { } missing ? missing : (200, stored!.ContentType, stored.Content);
            case "PUT" when _buckets.TryGetValue(bucket, out var objects):
                objects[name] = new StoredObject(body, headers["Content-Type"] ?? "application/octet-stream", [], Interlocked.Increment(ref _generation), DateTimeOffset.UtcNow);
                return (200, "", []);
            case "PUT":
                return BucketMissing();
            default:
                return Violation($"a signed URL is for GET or PUT here, not {method}");
        }
    }

    private bool SignatureHolds(string method, string rawPath, string canonicalQuery, string host, string date, string credential, byte[] signature)
    {
        var canonicalRequest = $"{method}\n{rawPath}\n{canonicalQuery}\nhost:{host}\n\nhost\nUNSIGNED-PAYLOAD";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));
        var stringToSign = $"GOOG4-RSA-SHA256\n{date}\n{credential[(_signerEmail.Length + 1)..]}\n{hash}";
        return _signerKey.VerifyData(Encoding.UTF8.GetBytes(stringToSign), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private (int, string, byte[])? Find(string bucket, string name, out StoredObject? stored)
    {
        stored = null;
        if (!_buckets.TryGetValue(bucket, out var objects))
        {
            return BucketMissing();
        }

        return objects.TryGetValue(name, out stored) ? null : Error(404, "notFound", $"No such object: {bucket}/{name}");
    }

    private static JsonObject Resource(string bucket, string name, StoredObject stored)
    {
        var resource = new JsonObject
        {
            ["kind"] = "storage#object",
            ["id"] = $"{bucket}/{name}/{stored.Generation}",
            ["name"] = name,
            ["bucket"] = bucket,
            ["generation"] = stored.Generation.ToString(CultureInfo.InvariantCulture),
            ["metageneration"] = "1",
            ["contentType"] = stored.ContentType,
            ["size"] = stored.Content.Length.ToString(CultureInfo.InvariantCulture),
            ["md5Hash"] = CloudStorageHashes.Md5(stored.Content),
            ["crc32c"] = CloudStorageHashes.Crc32C(stored.Content),
            ["etag"] = Convert.ToBase64String(BitConverter.GetBytes(stored.Generation)),
            ["timeCreated"] = stored.Updated.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["updated"] = stored.Updated.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        };
        if (stored.Metadata.Count > 0)
        {
            resource["metadata"] = new JsonObject(stored.Metadata.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
        }

        return resource;
    }

    private (int, string, byte[]) Violation(string what)
    {
        Violations.Enqueue(what);
        return Error(400, "invalid", "Request does not follow the Cloud Storage JSON API: " + what);
    }

    private static (int, string, byte[]) BucketMissing() => Error(404, "notFound", "The specified bucket does not exist.");

    private static (int, string, byte[]) Error(int code, string reason, string message) => Json(new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["domain"] = "global", ["reason"] = reason }),
        },
    }, code);

    private static (int, string, byte[]) XmlError(int code, string error, string message) =>
        (code, "application/xml; charset=UTF-8", Encoding.UTF8.GetBytes($"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{error}</Code><Message>{message}</Message></Error>"));

    private static (int, string, byte[]) Json(JsonNode node, int status = 200) =>
        (status, "application/json; charset=UTF-8", Encoding.UTF8.GetBytes(node.ToJsonString()));

    private static Dictionary<string, string> ParseQuery(string rawQuery) =>
        rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : "");

    /// <summary>The request's body; Google's libraries gzip JSON bodies (Content-Encoding: gzip), as Cloud Storage accepts.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpListenerRequest request)
    {
        using var buffer = new MemoryStream();
        if (string.Equals(request.Headers["Content-Encoding"], "gzip", StringComparison.OrdinalIgnoreCase))
        {
            await using var gzip = new System.IO.Compression.GZipStream(request.InputStream, System.IO.Compression.CompressionMode.Decompress);
            await gzip.CopyToAsync(buffer);
        }
        else
        {
            await request.InputStream.CopyToAsync(buffer);
        }

        return buffer.ToArray();
    }

    private static List<(string ContentType, byte[] Content)> MultipartParts(byte[] body, string boundary)
    {
        var delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        var parts = new List<(string, byte[])>();
        var at = IndexOf(body, delimiter, 0);
        while (at >= 0)
        {
            var start = at + delimiter.Length;
            if (start + 1 < body.Length && body[start] == '-' && body[start + 1] == '-')
            {
                break;
            }

            var next = IndexOf(body, delimiter, start);
            if (next < 0)
            {
                break;
            }

            var part = body.AsSpan(start, next - start).ToArray();
            var headerEnd = IndexOf(part, "\r\n\r\n"u8.ToArray(), 0);
            var headerText = Encoding.ASCII.GetString(part, 0, Math.Max(0, headerEnd));
            var contentType = headerText.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?["Content-Type:".Length..].Trim() ?? "";
            var contentStart = headerEnd + 4;
            var contentLength = part.Length - contentStart - 2; // the CRLF before the next delimiter
            parts.Add((contentType, part.AsSpan(contentStart, Math.Max(0, contentLength)).ToArray()));
            at = next;
        }

        return parts;
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int from) =>
        haystack.AsSpan(from).IndexOf(needle) is var i and >= 0 ? from + i : -1;

    private sealed record UploadSession(string Bucket, string Name, JsonObject Resource, string ContentType, long? DeclaredLength, Dictionary<string, string> Query)
    {
        public MemoryStream Content { get; } = new();
    }

    private sealed record StoredObject(byte[] Content, string ContentType, Dictionary<string, string> Metadata, long Generation, DateTimeOffset Updated);
}
