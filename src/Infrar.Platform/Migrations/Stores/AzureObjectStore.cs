using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Infrar.Platform.Migrations.Stores;

/// <summary>
/// An Azure Blob Storage container through Azure.Storage.Blobs. A write up to <see cref="ObjectStore.PartSize"/> is one
/// Put Blob with its Content-MD5, which the service checks, and the MD5 the service answers is compared with the
/// streamed hash; a larger one is staged as 8 MiB blocks, each with its Content-MD5 checked by the service, then
/// committed with the whole object's MD5 as the blob's, and its length read back.
/// </summary>
internal sealed class AzureObjectStore(BlobContainerClient container) : ObjectStore
{
    public override string Description => $"azure:{container.Uri}";

    /// <summary>
    /// A container client from an environment's credentials: AZURE_STORAGE_CONNECTION_STRING, or a service principal
    /// (ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_TENANT_ID, as OpenTofu's azurerm provider takes it) on the account the
    /// deployment's outputs name.
    /// </summary>
    public static AzureObjectStore Create(IReadOnlyDictionary<string, string> credentials, string? account, string containerName)
    {
        if (credentials.GetValueOrDefault("AZURE_STORAGE_CONNECTION_STRING") is { Length: > 0 } connectionString)
        {
            return new AzureObjectStore(new BlobContainerClient(connectionString, containerName));
        }

        if (account is null)
        {
            throw new MigrationInputException("the azure deployment recorded no storage_account_name output, and the environment has no AZURE_STORAGE_CONNECTION_STRING credential");
        }

        if (credentials.GetValueOrDefault("ARM_CLIENT_ID") is not { Length: > 0 } client ||
            credentials.GetValueOrDefault("ARM_CLIENT_SECRET") is not { Length: > 0 } secret ||
            credentials.GetValueOrDefault("ARM_TENANT_ID") is not { Length: > 0 } tenant)
        {
            throw new MigrationInputException("the azure environment has neither AZURE_STORAGE_CONNECTION_STRING nor ARM_CLIENT_ID, ARM_CLIENT_SECRET and ARM_TENANT_ID credentials, which the copy reads and writes blobs with");
        }

        var uri = new Uri($"https://{account}.blob.core.windows.net/{containerName}");
        return new AzureObjectStore(new BlobContainerClient(uri, new Azure.Identity.ClientSecretCredential(tenant, client, secret)));
    }

    /// <summary>The storage account the container is in.</summary>
    public string AccountName => container.AccountName;

    /// <summary>
    /// A SAS (without its leading '?') that reads and lists this container until <paramref name="expiresOn"/>: signed with
    /// the account key when the credentials carry it, else a user delegation SAS (which Azure lets live 7 days at most).
    /// </summary>
    public async Task<string> CreateReadSasAsync(DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        var builder = new Azure.Storage.Sas.BlobSasBuilder(Azure.Storage.Sas.BlobContainerSasPermissions.Read | Azure.Storage.Sas.BlobContainerSasPermissions.List, expiresOn)
        {
            BlobContainerName = container.Name,
            Resource = "c",
        };
        if (container.CanGenerateSasUri)
        {
            return container.GenerateSasUri(builder).Query.TrimStart('?');
        }

        var service = container.GetParentBlobServiceClient();
        var latest = DateTimeOffset.UtcNow.AddDays(7).AddMinutes(-5);
        builder.ExpiresOn = expiresOn < latest ? expiresOn : latest;
        var key = await service.GetUserDelegationKeyAsync(DateTimeOffset.UtcNow.AddMinutes(-5), builder.ExpiresOn, cancellationToken);
        return builder.ToSasQueryParameters(key.Value, service.AccountName).ToString();
    }

    public override async IAsyncEnumerable<ListedObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            yield return new ListedObject(blob.Name, blob.Properties.ContentLength ?? 0, blob.Properties.ETag?.ToString() ?? "", blob.Properties.LastModified ?? default);
        }
    }

    public override async Task<OpenedObject> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var response = await container.GetBlobClient(key).DownloadStreamingAsync(cancellationToken: cancellationToken);
        var details = response.Value.Details;
        var facts = new ObjectFacts(details.ContentLength, ObjectFacts.ContentTypeOf(details.ContentType), new Dictionary<string, string>(details.Metadata), Base64(details.BlobContentHash));
        return new OpenedObject(facts, response.Value.Content);
    }

    public override async Task<ObjectFacts?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await container.GetBlobClient(key).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return new ObjectFacts(properties.ContentLength, ObjectFacts.ContentTypeOf(properties.ContentType), new Dictionary<string, string>(properties.Metadata), Base64(properties.ContentHash));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public override async Task<WrittenObject> WriteAsync(string key, Stream content, ObjectFacts facts, CancellationToken cancellationToken)
    {
        var blob = container.GetBlockBlobClient(key);
        var metadata = new Dictionary<string, string>(facts.Metadata);
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        if (facts.Size <= PartSize)
        {
            using var part = await ReadPartAsync(content, (int)facts.Size, whole, cancellationToken);
            await EnsureEndedAsync(content, cancellationToken);
            var md5 = part.Md5();
            var response = await blob.UploadAsync(
                part.AsStream(),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = facts.ContentType, ContentHash = md5 },
                    Metadata = metadata,
                    TransferOptions = new StorageTransferOptions { InitialTransferSize = PartSize, MaximumTransferSize = PartSize, MaximumConcurrency = 1 },
                    // The library sends the part's Content-MD5 itself (a precalculated one it refuses for an upload it may split).
                    TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
                },
                cancellationToken);
            if (response.Value.ContentHash is { } answered && !answered.AsSpan().SequenceEqual(md5))
            {
                throw new VerificationException($"Azure answered Content-MD5 {Convert.ToBase64String(answered)} for '{key}' where the bytes sent give {Convert.ToBase64String(md5)}");
            }

            return new WrittenObject(Convert.ToBase64String(whole.GetHashAndReset()), "Azure Content-MD5, checked by the service");
        }

        var blocks = new List<string>();
        foreach (var length in Parts(facts.Size))
        {
            using var part = await ReadPartAsync(content, length, whole, cancellationToken);
            var id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"infrar-{blocks.Count:d6}"));
            await blob.StageBlockAsync(
                id,
                part.AsStream(),
                new BlockBlobStageBlockOptions { TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5, PrecalculatedChecksum = part.Md5() } },
                cancellationToken);
            blocks.Add(id);
        }

        await EnsureEndedAsync(content, cancellationToken);
        var objectMd5 = whole.GetHashAndReset();
        await blob.CommitBlockListAsync(
            blocks,
            new CommitBlockListOptions { HttpHeaders = new BlobHttpHeaders { ContentType = facts.ContentType, ContentHash = objectMd5 }, Metadata = metadata },
            cancellationToken);
        var committed = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        if (committed.ContentLength != facts.Size)
        {
            throw new VerificationException($"Azure holds {committed.ContentLength} bytes for '{key}' after committing {facts.Size}");
        }

        return new WrittenObject(Convert.ToBase64String(objectMd5), $"Azure Content-MD5 of each of {blocks.Count} blocks, checked by the service, and the length");
    }

    private static string? Base64(byte[]? hash) => hash is { Length: 16 } ? Convert.ToBase64String(hash) : null;
}
