namespace Infrar.Platform.Migrations.Stores;

/// <summary>
/// Which SDK reads and writes each provider's buckets in a migration's copy. The one place in the service that maps a
/// provider to code of its own: the catalog describes what apps run, and the copy runs in the service.
/// </summary>
internal static class ObjectStores
{
    /// <param name="provider">The environment's provider.</param>
    /// <param name="physicalName">The bucket's name on the provider (a local bucket's: its folder).</param>
    /// <param name="credentials">The environment's credentials.</param>
    /// <param name="region">The environment's region, or the provider's default.</param>
    /// <param name="localRoot">The folder a local environment's buckets are in; null for the clouds.</param>
    /// <param name="output">Reads another of the deployment's outputs (the storage account Azure buckets are in).</param>
    public static ObjectStore Open(
        string provider, string physicalName, IReadOnlyDictionary<string, string> credentials, string? region, string? localRoot, Func<string, string?> output) => provider switch
    {
        "local" => LocalFolderStore.Create(localRoot!, physicalName),
        "aws" => S3ObjectStore.Create(credentials, region ?? "us-east-1", physicalName),
        "azure" => AzureObjectStore.Create(credentials, output("storage_account_name"), physicalName),
        "gcp" => GcsObjectStore.Create(credentials, physicalName),
        _ => throw new MigrationInputException($"the copy has no code for provider {provider}'s buckets"),
    };
}
