using System.Text.Json;

namespace Infrar.Platform.Migrations.Transfers;

/// <summary>
/// Which engine copies a bucket. The service's own copy suits what one machine moves; from the migration's transfer
/// threshold up, the target cloud's own transfer service takes the bucket where one can read the source without an
/// agent and OpenTofu can describe it: Storage Transfer Service into Cloud Storage (from S3, Azure Blob or another
/// bucket), DataSync into S3 (from Cloud Storage). Everything else is copied by the service, and the plan says why.
/// </summary>
internal static class TransferEngines
{
    public const string Infrar = "infrar";
    public const string StorageTransferService = "storage-transfer-service";
    public const string DataSync = "datasync";

    /// <summary>The engine of a bucket of <paramref name="bytes"/>, and why it was chosen.</summary>
    public static (string Engine, string Why) Choose(
        string from, string to, long bytes, long threshold, IReadOnlyDictionary<string, string> sourceCredentials)
    {
        if (bytes < threshold)
        {
            return (Infrar, $"{MigrationPlanner.Bytes(bytes)}, below the transfer threshold of {MigrationPlanner.Bytes(threshold)}: the service copies it");
        }

        var (engine, why) = ServiceFor(from, to, sourceCredentials);
        return engine is null
            ? (Infrar, $"{MigrationPlanner.Bytes(bytes)}, at or above the transfer threshold, but {why}: the service copies it")
            : (engine, $"{MigrationPlanner.Bytes(bytes)}, at or above the transfer threshold of {MigrationPlanner.Bytes(threshold)}: {why}");
    }

    /// <summary>The target cloud's service that can take this copy, or null and why none can.</summary>
    private static (string? Engine, string Why) ServiceFor(string from, string to, IReadOnlyDictionary<string, string> sourceCredentials)
    {
        if (from == "local")
        {
            return (null, "the source is a folder on this machine, which no cloud service can read");
        }

        switch (to)
        {
            case "gcp" when from == "aws" && sourceCredentials.ContainsKey("AWS_SESSION_TOKEN"):
                return (null, "the source's AWS credentials are temporary (they carry a session token), and Storage Transfer Service takes only an access key");
            case "gcp" when from == "gcp" && ServiceAccountOf(sourceCredentials) is null:
                return (null, "the source's credentials are not a service-account key, which the transfer needs to let Storage Transfer Service read the source bucket");
            case "gcp":
                return (StorageTransferService, "Storage Transfer Service copies it into Cloud Storage, cloud to cloud");
            case "aws" when from == "gcp" && ServiceAccountOf(sourceCredentials) is null:
                return (null, "the source's credentials are not a service-account key, for which DataSync would be given an HMAC key");
            case "aws" when from == "gcp":
                return (DataSync, "DataSync (Enhanced mode, no agent) copies it into S3 through Cloud Storage's S3-compatible API, with an HMAC key made for the source's service account");
            case "aws" when from == "azure":
                return (null, "DataSync reads Azure Blob without an agent, but the hashicorp/aws provider's aws_datasync_location_azure_blob still requires agent_arns");
            case "aws":
                return (null, "DataSync between two accounts needs the source bucket's policy to name the target's role, a change to the source this migration does not make");
            case "azure":
                return (null, "no OpenTofu resource copies objects into Azure Blob from another cloud (azurerm's Storage Mover moves NFS and SMB shares); AzCopy, run by hand, is the alternative (docs/migration.md)");
            default:
                return (null, $"the target ({to}) is on this machine");
        }
    }

    /// <summary>The service account and project of a service-account key in GOOGLE_CREDENTIALS, or null.</summary>
    public static (string Email, string Project)? ServiceAccountOf(IReadOnlyDictionary<string, string> credentials)
    {
        if (credentials.GetValueOrDefault("GOOGLE_CREDENTIALS") is not { Length: > 0 } json)
        {
            return null;
        }

        try
        {
            using var key = JsonDocument.Parse(json);
            var root = key.RootElement;
            return root.ValueKind == JsonValueKind.Object &&
                   root.TryGetProperty("type", out var type) && type.GetString() == "service_account" &&
                   root.TryGetProperty("client_email", out var email) && email.GetString() is { Length: > 0 } address &&
                   root.TryGetProperty("project_id", out var project) && project.GetString() is { Length: > 0 } projectId
                ? (address, projectId)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The name people know the engine by.</summary>
    public static string Title(string? engine) => engine switch
    {
        StorageTransferService => "Storage Transfer Service",
        DataSync => "AWS DataSync",
        _ => "Infrar",
    };
}
