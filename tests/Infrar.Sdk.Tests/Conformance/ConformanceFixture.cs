using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using Infrar.Conformance;
using Infrar.Testing;
using Xunit;

namespace Infrar.Sdk.Tests.Conformance;

/// <summary>
/// Starts each provider's counterpart once for the suite, points the provider's documented environment variables
/// at it, and compiles <see cref="StorageScenarios"/> once per cloud with the generator.
/// </summary>
public sealed class ConformanceFixture : IAsyncLifetime
{
    public const string MediaBucket = "conformance-media";
    public const string ArchiveBucket = "conformance-archive";

    private readonly Dictionary<string, Type> _scenarios = new() { ["local"] = typeof(StorageScenarios) };
    private readonly List<IDisposable> _emulators = [];
    private DirectoryInfo? _root;
    private CloudStorageContractServer? _cloudStorage;
    private RSA? _serviceAccountKey;

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var provider in new[] { "local", "aws", "azure", "gcp" })
        {
            foreach (var scenario in typeof(StorageScenarios).GetMethods(BindingFlags.Public | BindingFlags.Static).OrderBy(m => m.MetadataToken))
            {
                cases.Add(provider, scenario.Name);
            }
        }

        return cases;
    }

    public CloudStorageContractServer CloudStorage => _cloudStorage!;

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("infrar-conformance-");
        Environment.SetEnvironmentVariable("INFRAR_BUCKET_MEDIA", MediaBucket);
        Environment.SetEnvironmentVariable("INFRAR_BUCKET_ARCHIVE", ArchiveBucket);

        // local: the buckets are folders, as applying the local infrastructure creates them.
        Directory.CreateDirectory(Path.Combine(TestEnvironment.LocalRoot, MediaBucket));
        Directory.CreateDirectory(Path.Combine(TestEnvironment.LocalRoot, ArchiveBucket));

        await Task.WhenAll(StartS3Async(), StartAzureAsync());
        StartCloudStorage();

        foreach (var provider in new[] { "aws", "azure", "gcp" })
        {
            _scenarios[provider] = Compile(provider);
        }
    }

    public async Task RunAsync(string provider, string scenario)
    {
        var method = _scenarios[provider].GetMethod(scenario, BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{provider} has no scenario {scenario}");
        try
        {
            await (Task)method.Invoke(null, null)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
        }
        catch (Exception e) when (provider == "gcp" && !CloudStorage.Violations.IsEmpty)
        {
            throw new InvalidOperationException($"The scenario failed; the contract server saw: {string.Join("\n", CloudStorage.Violations)}", e);
        }

        if (provider == "gcp")
        {
            Assert.Empty(CloudStorage.Violations);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var emulator in _emulators)
        {
            emulator.Dispose();
        }

        if (_cloudStorage is not null)
        {
            await _cloudStorage.DisposeAsync();
        }

        _serviceAccountKey?.Dispose();
        _root?.Delete(recursive: true);
    }

    private async Task StartS3Async()
    {
        var port = FreePort.Next();
        var directory = Directory.CreateDirectory(Path.Combine(_root!.FullName, "s3rver")).FullName;
        _emulators.Add(await NodeEmulator.StartAsync("s3rver", "start-s3rver.cjs", port, port.ToString(), directory, MediaBucket, ArchiveBucket));

        // The AWS SDK's own variables: endpoint, s3rver's documented credentials, a region, and checksums only where
        // S3 requires them (s3rver does not read the flexible-checksum trailers).
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", $"http://127.0.0.1:{port}");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
        Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Environment.SetEnvironmentVariable("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required");
        Environment.SetEnvironmentVariable("AWS_RESPONSE_CHECKSUM_VALIDATION", "when_required");
    }

    private async Task StartAzureAsync()
    {
        var port = FreePort.Next();
        _emulators.Add(await NodeEmulator.StartAsync(
            "Azurite", "node_modules/azurite/dist/src/blob/main.js", port,
            "--blobHost", "127.0.0.1", "--blobPort", port.ToString(), "--inMemoryPersistence", "--silent", "--skipApiVersionCheck"));

        var connectionString = EmulatorClients.AzuriteConnectionString(port);
        Environment.SetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING", connectionString);
        var service = new BlobServiceClient(connectionString);
        await service.CreateBlobContainerAsync(MediaBucket);
        await service.CreateBlobContainerAsync(ArchiveBucket);
    }

    private void StartCloudStorage()
    {
        // A service account key made for this run: application-default credentials load it, and signed URLs are
        // checked against its public half.
        _serviceAccountKey = RSA.Create(2048);
        const string email = "infrar-conformance@infrar-test.iam.gserviceaccount.com";
        var port = FreePort.Next();
        _cloudStorage = new CloudStorageContractServer(port, _serviceAccountKey, email, [MediaBucket, ArchiveBucket]);

        var keyFile = Path.Combine(_root!.FullName, "service-account.json");
        File.WriteAllText(keyFile, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "infrar-test",
            ["private_key_id"] = "conformance",
            ["private_key"] = _serviceAccountKey.ExportPkcs8PrivateKeyPem() + "\n",
            ["client_email"] = email,
            ["client_id"] = "1",
            ["token_uri"] = $"http://127.0.0.1:{port}/token",
        }));
        Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", keyFile);
        Environment.SetEnvironmentVariable("STORAGE_EMULATOR_HOST", $"http://127.0.0.1:{port}");
    }

    private static Type Compile(string provider)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Conformance", "StorageScenarios.cs");
        var result = GeneratorHarness.Run(provider, [(path, File.ReadAllText(path))], assemblyName: $"Infrar.Conformance.{provider}");
        if (!result.GeneratedSources.Keys.Any(name => name.StartsWith("Infrar.Storage.", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"The generator rewrote nothing for {provider}; {string.Join("\n", result.Problems)}");
        }

        return GeneratorHarness.EmitAndLoad(result.Compilation).GetType(typeof(StorageScenarios).FullName!, throwOnError: true)!;
    }
}

[CollectionDefinition(Name)]
public sealed class ConformanceCollection : ICollectionFixture<ConformanceFixture>
{
    public const string Name = "conformance";
}
