using System.Security.Cryptography;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using Google.Cloud.Storage.V1;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Migrations;

/// <summary>
/// The counterparts of the clouds a migration copies between, started once for the migration tests: s3rver for S3,
/// Azurite for Blob Storage, and the Cloud Storage contract server (no Cloud Storage emulator can run here). Each
/// test uses buckets of its own. Also reads a bucket back through each provider's own SDK, to check what a copy left.
/// </summary>
public sealed class MigrationEmulators : IAsyncLifetime
{
    public static readonly string[] Buckets =
        ["gallery-media", "gallery-archive", "notes-files", "crash-media", "guarded-files", "big-media", "big-notes", "stuck-media", "stuck-notes"];

    private readonly List<IDisposable> _emulators = [];
    private DirectoryInfo? _root;

    public int S3Port { get; private set; }

    public string AzureConnectionString { get; private set; } = "";

    public CloudStorageContractServer CloudStorage { get; private set; } = null!;

    /// <summary>The credentials an environment of each provider is created with, pointing at its counterpart.</summary>
    public Dictionary<string, string> Credentials(string provider) => provider switch
    {
        "aws" => new() { ["AWS_ACCESS_KEY_ID"] = "S3RVER", ["AWS_SECRET_ACCESS_KEY"] = "S3RVER", ["AWS_ENDPOINT_URL_S3"] = $"http://127.0.0.1:{S3Port}" },
        "azure" => new() { ["AZURE_STORAGE_CONNECTION_STRING"] = AzureConnectionString },
        "gcp" => new() { ["STORAGE_EMULATOR_HOST"] = $"http://127.0.0.1:{CloudStorage.Port}" },
        _ => [],
    };

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("infrar-migration-emulators-");
        S3Port = FreePort.Next();
        var s3Directory = Directory.CreateDirectory(Path.Combine(_root.FullName, "s3rver")).FullName;
        var azurePort = FreePort.Next();
        var started = await Task.WhenAll(
            NodeEmulator.StartAsync("s3rver", "start-s3rver.cjs", S3Port, [S3Port.ToString(), s3Directory, .. Buckets]),
            NodeEmulator.StartAsync(
                "Azurite", "node_modules/azurite/dist/src/blob/main.js", azurePort,
                "--blobHost", "127.0.0.1", "--blobPort", azurePort.ToString(), "--inMemoryPersistence", "--silent", "--skipApiVersionCheck"));
        _emulators.AddRange(started);
        AzureConnectionString = EmulatorClients.AzuriteConnectionString(azurePort);
        var service = new BlobServiceClient(AzureConnectionString);
        foreach (var bucket in Buckets)
        {
            await service.CreateBlobContainerAsync(bucket);
        }

        using var key = RSA.Create(2048);
        CloudStorage = new CloudStorageContractServer(FreePort.Next(), key, "migration@infrar-test.iam.gserviceaccount.com", Buckets);
    }

    public async Task DisposeAsync()
    {
        foreach (var emulator in _emulators)
        {
            emulator.Dispose();
        }

        await CloudStorage.DisposeAsync();
        _root?.Delete(recursive: true);
    }

    /// <summary>Writes objects with their content types and metadata through the provider's own SDK (as an app, or a cloud's transfer service, would).</summary>
    public async Task WriteAllAsync(string provider, string bucket, IReadOnlyDictionary<string, StoredObject> objects)
    {
        switch (provider)
        {
            case "aws":
            {
                using var client = EmulatorClients.S3rver(S3Port);
                foreach (var (key, stored) in objects)
                {
                    var put = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(stored.Content), ContentType = stored.ContentType, UseChunkEncoding = false };
                    foreach (var (name, value) in stored.Metadata)
                    {
                        put.Metadata.Add(name, value);
                    }

                    await client.PutObjectAsync(put);
                }

                break;
            }

            case "gcp":
            {
                var client = await new StorageClientBuilder { BaseUri = $"http://127.0.0.1:{CloudStorage.Port}/storage/v1/", UnauthenticatedAccess = true }.BuildAsync();
                foreach (var (key, stored) in objects)
                {
                    var written = new Google.Apis.Storage.v1.Data.Object { Bucket = bucket, Name = key, ContentType = stored.ContentType, Metadata = new Dictionary<string, string>(stored.Metadata) };
                    await client.UploadObjectAsync(written, new MemoryStream(stored.Content));
                }

                break;
            }

            case "azure":
            {
                var container = new BlobContainerClient(AzureConnectionString, bucket);
                foreach (var (key, stored) in objects)
                {
                    await container.GetBlobClient(key).UploadAsync(
                        new BinaryData(stored.Content),
                        new Azure.Storage.Blobs.Models.BlobUploadOptions
                        {
                            HttpHeaders = new Azure.Storage.Blobs.Models.BlobHttpHeaders { ContentType = stored.ContentType },
                            Metadata = new Dictionary<string, string>(stored.Metadata),
                        });
                }

                break;
            }

            default:
                throw new ArgumentException($"no writer for {provider}", nameof(provider));
        }
    }

    /// <summary>Every object of a bucket with its bytes, content type and metadata, read through the provider's own SDK.</summary>
    public async Task<Dictionary<string, StoredObject>> ReadAllAsync(string provider, string bucket)
    {
        var objects = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
        switch (provider)
        {
            case "aws":
            {
                using var client = EmulatorClients.S3rver(S3Port);
                var request = new ListObjectsV2Request { BucketName = bucket };
                do
                {
                    var page = await client.ListObjectsV2Async(request);
                    foreach (var entry in page.S3Objects ?? [])
                    {
                        using var get = await client.GetObjectAsync(bucket, entry.Key);
                        using var content = new MemoryStream();
                        await get.ResponseStream.CopyToAsync(content);
                        var metadata = get.Metadata.Keys.ToDictionary(k => k.StartsWith("x-amz-meta-", StringComparison.Ordinal) ? k["x-amz-meta-".Length..] : k, k => get.Metadata[k]);
                        objects[entry.Key] = new StoredObject(content.ToArray(), get.Headers.ContentType, metadata);
                    }

                    request.ContinuationToken = page.NextContinuationToken;
                }
                while (request.ContinuationToken is not null);
                break;
            }

            case "azure":
            {
                var container = new BlobContainerClient(AzureConnectionString, bucket);
                await foreach (var blob in container.GetBlobsAsync())
                {
                    var download = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value;
                    objects[blob.Name] = new StoredObject(download.Content.ToArray(), download.Details.ContentType, new Dictionary<string, string>(download.Details.Metadata));
                }

                break;
            }

            case "gcp":
            {
                var client = await new StorageClientBuilder { BaseUri = $"http://127.0.0.1:{CloudStorage.Port}/storage/v1/", UnauthenticatedAccess = true }.BuildAsync();
                await foreach (var entry in client.ListObjectsAsync(bucket))
                {
                    using var content = new MemoryStream();
                    await client.DownloadObjectAsync(bucket, entry.Name, content);
                    objects[entry.Name] = new StoredObject(content.ToArray(), entry.ContentType, entry.Metadata is { } metadata ? new Dictionary<string, string>(metadata) : []);
                }

                break;
            }

            default:
                throw new ArgumentException($"no reader for {provider}", nameof(provider));
        }

        return objects;
    }
}

/// <summary>An object as a test wrote it or read it back.</summary>
public sealed record StoredObject(byte[] Content, string ContentType, IReadOnlyDictionary<string, string> Metadata);

[CollectionDefinition(Name)]
public sealed class MigrationCollection : ICollectionFixture<MigrationEmulators>, ICollectionFixture<Service.PostgresServer>
{
    public const string Name = "migrations";
}
