namespace Infrar.Benchmarks.RuntimeOverhead.Abstraction;

/// <summary>Chooses the adapter from configuration at run time, as such libraries do.</summary>
public static class ObjectStoreFactory
{
    public static IObjectStore Create(string provider) => provider switch
    {
        "aws" => new S3ObjectStore(Clients.S3()),
        "azure" => new BlobObjectStore(Clients.Blob()),
        "gcp" => new CloudStorageObjectStore(Clients.CloudStorage()),
        _ => throw new ArgumentException($"No object store for provider '{provider}'.", nameof(provider)),
    };
}
