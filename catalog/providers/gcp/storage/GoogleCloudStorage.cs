namespace Infrar.Catalog.Gcp;

/// <summary>
/// Google Cloud Storage's client and the helpers its operations share. The generator writes these members into a
/// file-local class of this name beside the interceptors, as they are here.
/// </summary>
internal static class GoogleCloudStorage
{
    private static readonly global::System.Lazy<global::Google.Cloud.Storage.V1.StorageClient> LazyClient = new(CreateClient);

    private static readonly global::System.Lazy<global::System.Threading.Tasks.Task<global::Google.Cloud.Storage.V1.UrlSigner>> LazySigner = new(CreateSignerAsync);

    /// <summary>
    /// An emulator's JSON API root from STORAGE_EMULATOR_HOST, or null. Google's libraries for other languages take a
    /// bare host (localhost:4443) and the .NET one the API root (http://localhost:4443/storage/v1/): both work here.
    /// </summary>
    public static readonly global::System.Uri? Emulator = EmulatorRoot(global::System.Environment.GetEnvironmentVariable("STORAGE_EMULATOR_HOST"));

    private static global::System.Uri? EmulatorRoot(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return null;
        }

        var root = new global::System.Uri(host.Contains("://", global::System.StringComparison.Ordinal) ? host : "http://" + host);
        return root.AbsolutePath == "/" ? new global::System.Uri(root, "storage/v1/") : root;
    }

    /// <summary>
    /// The process's one Cloud Storage client: application-default credentials (the service account of the metadata
    /// server where the app runs in Google Cloud), or the emulator without credentials. Requests go through the HTTP
    /// handler given to Infrar.CloudClients.UseHttpHandler, if any.
    /// </summary>
    public static global::Google.Cloud.Storage.V1.StorageClient Client => LazyClient.Value;

    private static global::Google.Cloud.Storage.V1.StorageClient CreateClient()
    {
        var builder = new global::Google.Cloud.Storage.V1.StorageClientBuilder();
        if (Emulator is not null)
        {
            builder.BaseUri = Emulator.ToString();
            builder.UnauthenticatedAccess = true;
        }

        if (global::Infrar.CloudClients.CreateHttpHandler() is { } handler)
        {
            builder.HttpClientFactory = new HandlerFactory(handler);
        }

        return builder.Build();
    }

    /// <summary>Gives Google's HTTP stack the handler an app chose (its retries and auth still wrap it).</summary>
    private sealed class HandlerFactory(global::System.Net.Http.HttpMessageHandler handler) : global::Google.Apis.Http.HttpClientFactory
    {
        protected override global::System.Net.Http.HttpMessageHandler CreateHandler(global::Google.Apis.Http.CreateHttpClientArgs args) => handler;
    }

    /// <summary>
    /// Signs with the application-default credential: locally with a service account key, or through the IAM signBlob
    /// API for the metadata server's service account.
    /// </summary>
    private static async global::System.Threading.Tasks.Task<global::Google.Cloud.Storage.V1.UrlSigner> CreateSignerAsync()
    {
        var credential = await global::Google.Apis.Auth.OAuth2.GoogleCredential.GetApplicationDefaultAsync().ConfigureAwait(false);
        return credential.UnderlyingCredential is global::Google.Apis.Auth.OAuth2.ServiceAccountCredential
            or global::Google.Apis.Auth.OAuth2.ComputeCredential
            or global::Google.Apis.Auth.OAuth2.ImpersonatedCredential
            ? global::Google.Cloud.Storage.V1.UrlSigner.FromCredential(credential)
            : throw new global::System.InvalidOperationException(
                "Cloud Storage signed URLs need a service account: a key file in GOOGLE_APPLICATION_CREDENTIALS, an impersonated account, or the metadata server's account.");
    }

    public static global::Google.Cloud.Storage.V1.UploadObjectOptions? NewUpload(global::Infrar.UploadOptions? options) =>
        options?.IfNotExists == true ? new global::Google.Cloud.Storage.V1.UploadObjectOptions { IfGenerationMatch = 0 } : null;

    public static global::Google.Apis.Storage.v1.Data.Object NewObject(global::Infrar.Bucket bucket, string key, global::Infrar.UploadOptions? options) => new()
    {
        Bucket = bucket.PhysicalName,
        Name = key,
        ContentType = global::Infrar.Internal.ContentTypes.For(key, options?.ContentType),
        Metadata = options?.Metadata is { Count: > 0 } metadata ? new global::System.Collections.Generic.Dictionary<string, string>(metadata) : null,
    };

    public static global::Infrar.ObjectInfo ToObjectInfo(string key, global::Google.Apis.Storage.v1.Data.Object resource) => new(
        key,
        (long)(resource.Size ?? 0),
        resource.ContentType ?? "application/octet-stream",
        resource.ETag,
        resource.UpdatedDateTimeOffset ?? default,
        resource.Metadata is { } metadata ? new global::System.Collections.Generic.Dictionary<string, string>(metadata) : new global::System.Collections.Generic.Dictionary<string, string>());

    /// <summary>A page's objects and prefixes, merged back into name order.</summary>
    public static global::System.Collections.Generic.List<global::Infrar.ListEntry> Entries(global::Google.Apis.Storage.v1.Data.Objects page)
    {
        var entries = new global::System.Collections.Generic.List<global::Infrar.ListEntry>();
        foreach (var item in page.Items ?? [])
        {
            entries.Add(global::Infrar.ListEntry.Object(item.Name, (long)(item.Size ?? 0), item.ETag, item.UpdatedDateTimeOffset ?? default));
        }

        foreach (var prefix in page.Prefixes ?? [])
        {
            entries.Add(global::Infrar.ListEntry.Prefix(prefix));
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return entries;
    }

    /// <summary>A V4 signed URL for one verb on one object; with STORAGE_EMULATOR_HOST set, for that endpoint.</summary>
    public static async global::System.Threading.Tasks.Task<global::System.Uri> SignAsync(
        global::Infrar.Bucket bucket,
        string key,
        global::System.Net.Http.HttpMethod verb,
        global::System.TimeSpan expiresIn,
        global::System.Threading.CancellationToken cancellationToken)
    {
        if (expiresIn < global::System.TimeSpan.FromSeconds(1) || expiresIn > global::System.TimeSpan.FromDays(7))
        {
            throw new global::System.ArgumentOutOfRangeException(nameof(expiresIn), expiresIn, "Cloud Storage signed URLs last from 1 second to 7 days.");
        }

        var signer = await LazySigner.Value.ConfigureAwait(false);
        var request = global::Google.Cloud.Storage.V1.UrlSigner.RequestTemplate.FromBucket(bucket.PhysicalName).WithObjectName(key).WithHttpMethod(verb);
        var options = global::Google.Cloud.Storage.V1.UrlSigner.Options.FromDuration(expiresIn);
        if (Emulator is not null)
        {
            options = options.WithScheme(Emulator.Scheme).WithHost(Emulator.Host).WithPort(Emulator.Port);
        }

        return new global::System.Uri(await signer.SignAsync(request, options, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Whether a 404 is about the bucket rather than the object: Cloud Storage says so only in its message.</summary>
    public static bool IsMissingBucket(global::Google.GoogleApiException e) =>
        e.HttpStatusCode == global::System.Net.HttpStatusCode.NotFound
        && (e.Error?.Message ?? e.Message).Contains("bucket does not exist", global::System.StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a 404 is about the object, in a bucket that exists.</summary>
    public static bool IsMissingObject(global::Google.GoogleApiException e) =>
        e.HttpStatusCode == global::System.Net.HttpStatusCode.NotFound && !IsMissingBucket(e);

    /// <summary>
    /// Which bucket of a copy is missing: Cloud Storage does not say, and the source is the one this call may look at
    /// (reading its object's metadata tells whether its bucket exists).
    /// </summary>
    public static async global::System.Threading.Tasks.Task<global::System.Exception> MissingBucketAsync(
        global::Google.GoogleApiException e,
        global::Infrar.Bucket source,
        string sourceKey,
        global::Infrar.Bucket destination,
        string destinationKey,
        global::System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            await Client.GetObjectAsync(source.PhysicalName, sourceKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (global::Google.GoogleApiException missing) when (IsMissingBucket(missing))
        {
            return new global::Infrar.BucketNotFoundException("gcp", source.PhysicalName, sourceKey, Reason(e), e);
        }
        catch (global::Google.GoogleApiException)
        {
            // The source's bucket exists: the destination's is the missing one.
        }

        return new global::Infrar.BucketNotFoundException("gcp", destination.PhysicalName, destinationKey, Reason(e), e);
    }

    /// <summary>The first error's reason (notFound, conditionNotMet, forbidden...), as the JSON API reports it.</summary>
    public static string? Reason(global::Google.GoogleApiException e) =>
        e.Error?.Errors is { Count: > 0 } errors ? errors[0].Reason : null;

    /// <summary>Maps a Google Cloud Storage error onto Infrar's storage exceptions: first match wins, the rest is a StorageException.</summary>
    public static global::System.Exception Error(global::Google.GoogleApiException e, global::Infrar.Bucket bucket, string? key) => (Reason(e), (int)e.HttpStatusCode) switch
    {
        (_, 404) when IsMissingBucket(e) => new global::Infrar.BucketNotFoundException("gcp", bucket.PhysicalName, key, Reason(e), e),
        (_, 404) => new global::Infrar.ObjectNotFoundException("gcp", bucket.PhysicalName, key, Reason(e), e),
        ("conditionNotMet", _) => new global::Infrar.ObjectAlreadyExistsException("gcp", bucket.PhysicalName, key, Reason(e), e),
        (_, 412) => new global::Infrar.ObjectAlreadyExistsException("gcp", bucket.PhysicalName, key, Reason(e), e),
        (_, 401) => new global::Infrar.AccessDeniedException("gcp", bucket.PhysicalName, key, Reason(e), e),
        (_, 403) => new global::Infrar.AccessDeniedException("gcp", bucket.PhysicalName, key, Reason(e), e),
        _ => new global::Infrar.StorageException(e.Message, "gcp", bucket.PhysicalName, key, Reason(e), e),
    };
}
