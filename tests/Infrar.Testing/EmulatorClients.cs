using Amazon.S3;

namespace Infrar.Testing;

/// <summary>Clients of the npm emulators (tests/emulators), as the tests and benchmarks that seed or read them make them.</summary>
public static class EmulatorClients
{
    /// <summary>Azurite's published development account key; not a secret.</summary>
    public const string AzuriteAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The connection string of Azurite's Blob service on a loopback port.</summary>
    public static string AzuriteConnectionString(int port) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteAccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

    /// <summary>
    /// An S3 client of s3rver on a loopback port: its documented credentials, path-style addressing, and checksums only
    /// where S3 requires them (s3rver does not read the SDK's flexible-checksum trailers).
    /// </summary>
    public static AmazonS3Client S3rver(int port) => new(
        new Amazon.Runtime.BasicAWSCredentials("S3RVER", "S3RVER"),
        new AmazonS3Config
        {
            ServiceURL = $"http://127.0.0.1:{port}",
            ForcePathStyle = true,
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
        });
}
