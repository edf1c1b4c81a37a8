namespace Infrar.Catalog.Azure;

/// <summary>
/// Azure Blob Storage's client and the helpers its operations share. The generator writes these members into a
/// file-local class of this name beside the interceptors, as they are here.
/// </summary>
internal static class AzureBlobStorage
{
    private static readonly global::System.Lazy<global::Azure.Storage.Blobs.BlobServiceClient> LazyClient = new(CreateClient);

    /// <summary>
    /// The process's one Blob service client: AZURE_STORAGE_CONNECTION_STRING when set; otherwise the account in
    /// AZURE_STORAGE_ACCOUNT_URL (or AZURE_STORAGE_ACCOUNT) with DefaultAzureCredential, which uses the managed
    /// identity named by AZURE_CLIENT_ID where the app runs in Azure. Requests go through the HTTP handler given to
    /// Infrar.CloudClients.UseHttpHandler, if any.
    /// </summary>
    public static global::Azure.Storage.Blobs.BlobServiceClient Client => LazyClient.Value;

    private static global::Azure.Storage.Blobs.BlobServiceClient CreateClient()
    {
        var options = new global::Azure.Storage.Blobs.BlobClientOptions();
        if (global::Infrar.CloudClients.CreateHttpHandler() is { } handler)
        {
            options.Transport = new global::Azure.Core.Pipeline.HttpClientTransport(handler);
        }

        var connectionString = global::System.Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING");
        if (!string.IsNullOrEmpty(connectionString))
        {
            return new global::Azure.Storage.Blobs.BlobServiceClient(connectionString, options);
        }

        var accountUrl = global::System.Environment.GetEnvironmentVariable("AZURE_STORAGE_ACCOUNT_URL");
        var account = global::System.Environment.GetEnvironmentVariable("AZURE_STORAGE_ACCOUNT");
        if (string.IsNullOrEmpty(accountUrl) && !string.IsNullOrEmpty(account))
        {
            accountUrl = $"https://{account}.blob.core.windows.net";
        }

        if (string.IsNullOrEmpty(accountUrl))
        {
            throw new global::System.InvalidOperationException(
                "Azure Blob Storage is not configured: set AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT_URL (or AZURE_STORAGE_ACCOUNT) for an Azure.Identity credential.");
        }

        return new global::Azure.Storage.Blobs.BlobServiceClient(new global::System.Uri(accountUrl), new global::Azure.Identity.DefaultAzureCredential(), options);
    }

    private static readonly global::System.Collections.Concurrent.ConcurrentDictionary<string, global::Azure.Storage.Blobs.BlobContainerClient> Containers = new();

    /// <summary>A bucket's container client, made once per container and shared, as the clients are thread-safe.</summary>
    public static global::Azure.Storage.Blobs.BlobContainerClient Container(global::Infrar.Bucket bucket) =>
        Containers.GetOrAdd(bucket.PhysicalName, static name => Client.GetBlobContainerClient(name));

    public static global::Azure.Storage.Blobs.BlobClient Blob(global::Infrar.Bucket bucket, string key) =>
        Container(bucket).GetBlobClient(key);

    public static global::Azure.Storage.Blobs.Models.BlobUploadOptions NewUpload(string key, global::Infrar.UploadOptions? options) => new()
    {
        HttpHeaders = new global::Azure.Storage.Blobs.Models.BlobHttpHeaders { ContentType = global::Infrar.Internal.ContentTypes.For(key, options?.ContentType) },
        Metadata = options?.Metadata is { } metadata ? new global::System.Collections.Generic.Dictionary<string, string>(metadata) : null,
        Conditions = options?.IfNotExists == true ? new global::Azure.Storage.Blobs.Models.BlobRequestConditions { IfNoneMatch = global::Azure.ETag.All } : null,
    };

    /// <summary>
    /// Which bucket of a copy is missing: Azure says only that a container is, and the source is the one this call
    /// may look at (reading its blob's properties tells whether its container exists).
    /// </summary>
    public static async global::System.Threading.Tasks.Task<global::System.Exception> MissingContainerAsync(
        global::Azure.RequestFailedException e,
        global::Infrar.Bucket source,
        string sourceKey,
        global::Infrar.Bucket destination,
        string destinationKey,
        global::System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            await Blob(source, sourceKey).GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (global::Azure.RequestFailedException probe) when (probe.ErrorCode == "ContainerNotFound")
        {
            return new global::Infrar.BucketNotFoundException("azure", source.PhysicalName, sourceKey, e.ErrorCode, e);
        }
        catch (global::Azure.RequestFailedException)
        {
            // The source's container exists: the destination's is the missing one.
        }

        return new global::Infrar.BucketNotFoundException("azure", destination.PhysicalName, destinationKey, e.ErrorCode, e);
    }

    public static async global::System.Threading.Tasks.Task<bool> NextPageAsync(
        global::Infrar.Bucket bucket,
        global::System.Collections.Generic.IAsyncEnumerator<global::Azure.Page<global::Azure.Storage.Blobs.Models.BlobHierarchyItem>> pages)
    {
        try
        {
            return await pages.MoveNextAsync().ConfigureAwait(false);
        }
        catch (global::Azure.RequestFailedException e)
        {
            throw Error(e, bucket, null);
        }
    }

    /// <summary>A SAS URL for one blob: signed with the account key when the client has one, else with a user delegation key.</summary>
    public static async global::System.Threading.Tasks.Task<global::System.Uri> SignAsync(
        global::Azure.Storage.Blobs.BlobClient blob,
        global::Azure.Storage.Sas.BlobSasPermissions permissions,
        global::System.TimeSpan expiresIn,
        global::System.Threading.CancellationToken cancellationToken)
    {
        var expiresOn = global::System.DateTimeOffset.UtcNow.Add(expiresIn);
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(permissions, expiresOn);
        }

        var delegationKey = await Client.GetUserDelegationKeyAsync(global::System.DateTimeOffset.UtcNow.AddMinutes(-5), expiresOn, cancellationToken).ConfigureAwait(false);
        var sas = new global::Azure.Storage.Sas.BlobSasBuilder(permissions, expiresOn)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
        };
        return new global::Azure.Storage.Blobs.BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(delegationKey.Value, Client.AccountName) }.ToUri();
    }

    /// <summary>Maps an Azure Blob Storage error onto Infrar's storage exceptions: first match wins, the rest is a StorageException.</summary>
    public static global::System.Exception Error(global::Azure.RequestFailedException e, global::Infrar.Bucket bucket, string? key) => (e.ErrorCode, e.Status) switch
    {
        ("BlobNotFound", _) => new global::Infrar.ObjectNotFoundException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        ("CannotVerifyCopySource", _) => new global::Infrar.ObjectNotFoundException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        ("ContainerNotFound", _) => new global::Infrar.BucketNotFoundException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        ("BlobAlreadyExists", _) => new global::Infrar.ObjectAlreadyExistsException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        ("ConditionNotMet", _) => new global::Infrar.ObjectAlreadyExistsException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        ("AuthorizationFailure", _) => new global::Infrar.AccessDeniedException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        ("AuthorizationPermissionMismatch", _) => new global::Infrar.AccessDeniedException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        ("AuthenticationFailed", _) => new global::Infrar.AccessDeniedException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        (_, 404) => new global::Infrar.ObjectNotFoundException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        (_, 409) => new global::Infrar.ObjectAlreadyExistsException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        (_, 412) => new global::Infrar.ObjectAlreadyExistsException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        (_, 403) => new global::Infrar.AccessDeniedException("azure", bucket.PhysicalName, key, e.ErrorCode, e),
        _ => new global::Infrar.StorageException(e.Message, "azure", bucket.PhysicalName, key, e.ErrorCode, e),
    };
}
