using Amazon.S3;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Google.Cloud.Storage.V1;
using Infrar.Benchmarks.RuntimeOverhead.InMemory;

namespace Infrar.Benchmarks.RuntimeOverhead;

/// <summary>
/// Points every way of calling at the in-memory cloud. The rewritten Infrar code builds its clients from the
/// provider SDKs' documented environment variables and <see cref="CloudClients.UseHttpHandler"/>; the hand-written
/// code and the abstraction build the same clients, with the same settings, themselves.
/// </summary>
public static class Clients
{
    // The account key of this fake account only; it signs requests that never leave the process.
    private const string BlobConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=bench;AccountKey=YmVuY2htYXJrLWtleS1ub3QtYS1zZWNyZXQtMDEyMzQ1Njc4OQ==;BlobEndpoint=http://blob.bench.test/bench;";

    private static readonly Lazy<bool> Configured = new(() =>
    {
        Environment.SetEnvironmentVariable("INFRAR_BUCKET_OBJECTS", InMemoryCloud.Bucket);
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", InMemoryCloud.S3Endpoint.ToString());
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "BENCHMARK");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "BENCHMARK");
        Environment.SetEnvironmentVariable("AWS_REGION", "us-east-1");
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Environment.SetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING", BlobConnectionString);
        Environment.SetEnvironmentVariable("STORAGE_EMULATOR_HOST", InMemoryCloud.CloudStorageEndpoint.ToString());
        CloudClients.UseHttpHandler(() => InMemoryCloud.Instance);
        return true;
    });

    /// <summary>Sets the environment and the handler once per process, before any client is created.</summary>
    public static void Configure() => _ = Configured.Value;

    /// <summary>The S3 client the rewritten code creates: from the environment, path-style, on the handler.</summary>
    public static AmazonS3Client S3()
    {
        Configure();
        var config = new AmazonS3Config
        {
            ServiceURL = InMemoryCloud.S3Endpoint.ToString(),
            ForcePathStyle = true,
            HttpClientFactory = new InMemoryHttpClientFactory(),
        };
        return new AmazonS3Client(config);
    }

    /// <summary>The Blob service client the rewritten code creates: from the connection string, on the handler.</summary>
    public static BlobServiceClient Blob()
    {
        Configure();
        return new BlobServiceClient(BlobConnectionString, new BlobClientOptions { Transport = new HttpClientTransport(InMemoryCloud.Instance) });
    }

    /// <summary>The Cloud Storage client the rewritten code creates: the emulator's API root, no credentials, on the handler.</summary>
    public static StorageClient CloudStorage()
    {
        Configure();
        return new StorageClientBuilder
        {
            BaseUri = new Uri(InMemoryCloud.CloudStorageEndpoint, "storage/v1/").ToString(),
            UnauthenticatedAccess = true,
            HttpClientFactory = new InMemoryGoogleHttpClientFactory(),
        }.Build();
    }

    private sealed class InMemoryGoogleHttpClientFactory : Google.Apis.Http.HttpClientFactory
    {
        protected override HttpMessageHandler CreateHandler(Google.Apis.Http.CreateHttpClientArgs args) => InMemoryCloud.Instance;
    }

    private sealed class InMemoryHttpClientFactory : Amazon.Runtime.HttpClientFactory
    {
        public override HttpClient CreateHttpClient(Amazon.Runtime.IClientConfig clientConfig) => new(InMemoryCloud.Instance, disposeHandler: false);
    }
}
