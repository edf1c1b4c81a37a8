namespace Infrar.Catalog.Aws;

/// <summary>
/// Amazon S3's client and the helpers its operations share. The generator writes these members into a
/// file-local class of this name beside the interceptors, as they are here.
/// </summary>
internal static class AmazonS3Storage
{
    private static readonly global::System.Lazy<global::Amazon.S3.AmazonS3Client> LazyClient = new(CreateClient);

    private static readonly string? CustomEndpoint = FirstSet("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");

    /// <summary>
    /// The process's one S3 client: the default credential chain and region, the endpoint in
    /// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL when one is set (path-style addressing, as S3-compatible servers expect),
    /// and the HTTP handler given to Infrar.CloudClients.UseHttpHandler, if any.
    /// </summary>
    public static global::Amazon.S3.AmazonS3Client Client => LazyClient.Value;

    private static global::Amazon.S3.AmazonS3Client CreateClient()
    {
        var config = new global::Amazon.S3.AmazonS3Config();
        if (CustomEndpoint is not null)
        {
            config.ServiceURL = CustomEndpoint;
            config.ForcePathStyle = true;
        }

        if (global::Infrar.CloudClients.CreateHttpHandler() is { } handler)
        {
            config.HttpClientFactory = new HandlerClientFactory(handler);
        }

        return new global::Amazon.S3.AmazonS3Client(config);
    }

    /// <summary>Gives the S3 client an HTTP client on the configured handler.</summary>
    private sealed class HandlerClientFactory(global::System.Net.Http.HttpMessageHandler handler) : global::Amazon.Runtime.HttpClientFactory
    {
        public override global::System.Net.Http.HttpClient CreateHttpClient(global::Amazon.Runtime.IClientConfig clientConfig) =>
            new(handler, disposeHandler: false);
    }

    /// <summary>The scheme presigned URLs use: the custom endpoint's, else HTTPS.</summary>
    public static global::Amazon.S3.Protocol UrlProtocol =>
        CustomEndpoint?.StartsWith("http://", global::System.StringComparison.OrdinalIgnoreCase) == true ? global::Amazon.S3.Protocol.HTTP : global::Amazon.S3.Protocol.HTTPS;

    private static string? FirstSet(params string[] names)
    {
        foreach (var name in names)
        {
            var value = global::System.Environment.GetEnvironmentVariable(name);
            if (!string.IsNullOrEmpty(value))
            {
                return value;
            }
        }

        return null;
    }

    public static global::Amazon.S3.Model.PutObjectRequest NewPut(global::Infrar.Bucket bucket, string key, global::Infrar.UploadOptions? options)
    {
        var request = new global::Amazon.S3.Model.PutObjectRequest
        {
            BucketName = bucket.PhysicalName,
            Key = key,
            ContentType = global::Infrar.Internal.ContentTypes.For(key, options?.ContentType),
            AutoCloseStream = false,
            // S3-compatible servers seldom read aws-chunked signed bodies; Amazon S3 itself does.
            UseChunkEncoding = CustomEndpoint is null,
        };
        if (options?.IfNotExists == true)
        {
            request.IfNoneMatch = "*";
        }

        if (options?.Metadata is { } metadata)
        {
            foreach (var pair in metadata)
            {
                request.Metadata.Add(pair.Key, pair.Value);
            }
        }

        return request;
    }

    public static global::System.Collections.Generic.Dictionary<string, string> ReadMetadata(global::Amazon.S3.Model.MetadataCollection metadata)
    {
        var result = new global::System.Collections.Generic.Dictionary<string, string>();
        foreach (var name in metadata.Keys)
        {
            var key = name.StartsWith("x-amz-meta-", global::System.StringComparison.OrdinalIgnoreCase) ? name.Substring("x-amz-meta-".Length) : name;
            result[key] = metadata[name];
        }

        return result;
    }

    /// <summary>Whether the bucket exists (HeadBucket, which s3:ListBucket on the bucket allows).</summary>
    public static async global::System.Threading.Tasks.Task<bool> BucketExistsAsync(global::Infrar.Bucket bucket, global::System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            await Client.HeadBucketAsync(new global::Amazon.S3.Model.HeadBucketRequest { BucketName = bucket.PhysicalName }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (global::Amazon.S3.AmazonS3Exception e) when (e.StatusCode == global::System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// S3 answers a HEAD on a missing object and on a missing bucket alike, 404 without a body: asking about the bucket
    /// tells them apart, so both are reported as every provider reports them.
    /// </summary>
    public static async global::System.Threading.Tasks.Task<global::System.Exception> NotFoundAsync(
        global::Amazon.S3.AmazonS3Exception e, global::Infrar.Bucket bucket, string key, global::System.Threading.CancellationToken cancellationToken) =>
        await BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false)
            ? Error(e, bucket, key)
            : new global::Infrar.BucketNotFoundException("aws", bucket.PhysicalName, key, "NoSuchBucket", e);

    public static async global::System.Threading.Tasks.Task<global::Amazon.S3.Model.ListObjectsV2Response> ListPageAsync(
        global::Infrar.Bucket bucket, global::Amazon.S3.Model.ListObjectsV2Request request, global::System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            return await Client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
        }
        catch (global::Amazon.S3.AmazonS3Exception e)
        {
            throw Error(e, bucket, null);
        }
    }

    /// <summary>A page's objects and common prefixes, merged back into key order.</summary>
    public static global::System.Collections.Generic.IEnumerable<global::Infrar.ListEntry> Entries(global::Amazon.S3.Model.ListObjectsV2Response page)
    {
        var objects = page.S3Objects ?? [];
        var prefixes = page.CommonPrefixes ?? [];
        int o = 0, p = 0;
        while (o < objects.Count || p < prefixes.Count)
        {
            if (p == prefixes.Count || (o < objects.Count && string.CompareOrdinal(objects[o].Key, prefixes[p]) < 0))
            {
                var item = objects[o++];
                yield return global::Infrar.ListEntry.Object(item.Key, item.Size ?? 0, item.ETag, item.LastModified is { } modified ? new global::System.DateTimeOffset(modified.ToUniversalTime()) : null);
            }
            else
            {
                yield return global::Infrar.ListEntry.Prefix(prefixes[p++]);
            }
        }
    }

    /// <summary>Maps an Amazon S3 error onto Infrar's storage exceptions: first match wins, the rest is a StorageException.</summary>
    public static global::System.Exception Error(global::Amazon.S3.AmazonS3Exception e, global::Infrar.Bucket bucket, string? key) => (e.ErrorCode, (int)e.StatusCode) switch
    {
        ("NoSuchKey", _) => new global::Infrar.ObjectNotFoundException("aws", bucket.PhysicalName, key, e.ErrorCode, e),
        ("NoSuchBucket", _) => new global::Infrar.BucketNotFoundException("aws", bucket.PhysicalName, key, e.ErrorCode, e),
        ("PreconditionFailed", _) => new global::Infrar.ObjectAlreadyExistsException("aws", bucket.PhysicalName, key, e.ErrorCode, e),
        ("AccessDenied", _) => new global::Infrar.AccessDeniedException("aws", bucket.PhysicalName, key, e.ErrorCode, e),
        ("InvalidAccessKeyId", _) => new global::Infrar.AccessDeniedException("aws", bucket.PhysicalName, key, e.ErrorCode, e),
        ("SignatureDoesNotMatch", _) => new global::Infrar.AccessDeniedException("aws", bucket.PhysicalName, key, e.ErrorCode, e),
        (_, 404) => new global::Infrar.ObjectNotFoundException("aws", bucket.PhysicalName, key, e.ErrorCode, e),
        (_, 412) => new global::Infrar.ObjectAlreadyExistsException("aws", bucket.PhysicalName, key, e.ErrorCode, e),
        (_, 403) => new global::Infrar.AccessDeniedException("aws", bucket.PhysicalName, key, e.ErrorCode, e),
        _ => new global::Infrar.StorageException(e.Message, "aws", bucket.PhysicalName, key, e.ErrorCode, e),
    };

    /// <summary>A presigned URL for one verb on one object, in the endpoint's scheme.</summary>
    public static async global::System.Threading.Tasks.Task<global::System.Uri> PresignAsync(
        global::Infrar.Bucket bucket,
        string key,
        global::Amazon.S3.HttpVerb verb,
        global::System.TimeSpan expiresIn)
    {
        var request = new global::Amazon.S3.Model.GetPreSignedUrlRequest
        {
            BucketName = bucket.PhysicalName,
            Key = key,
            Verb = verb,
            Expires = global::System.DateTime.UtcNow.Add(expiresIn),
            Protocol = UrlProtocol,
        };
        return new global::System.Uri(await Client.GetPreSignedURLAsync(request).ConfigureAwait(false));
    }
}
