using System.Text.Json;
using Infrar.Generators.Catalog;
using Infrar.Platform.Api;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Manifest;
using Infrar.Platform.Migrations.Stores;
using Infrar.Platform.Security;

namespace Infrar.Platform.Migrations;

/// <summary>
/// One side of a migration: an environment, the deployment whose buckets are copied from or to, and the environment's
/// credentials (opened only in the worker, never returned). Opens each bucket through its provider's SDK, by the
/// physical name the deployment's OpenTofu outputs recorded (<c>bucket_&lt;id&gt;</c>).
/// </summary>
internal sealed class MigrationSide(EnvironmentRow environment, DeploymentRow deployment, IReadOnlyDictionary<string, string> credentials)
{
    public EnvironmentRow Environment => environment;

    public DeploymentRow Deployment => deployment;

    /// <summary>Every value a log line must not show: the credentials.</summary>
    public IEnumerable<string> Secrets => credentials.Values;

    /// <summary>The environment's credentials, for the worker only (a transfer service is handed the source's).</summary>
    public IReadOnlyDictionary<string, string> Credentials => credentials;

    public static MigrationSide Open(EnvironmentRow environment, DeploymentRow deployment, CredentialProtector protector) =>
        new(environment, deployment, environment.Credentials is { } sealedCredentials
            ? protector.Unprotect(sealedCredentials, DeploymentWorker.CredentialContext(environment))
            : new Dictionary<string, string>());

    /// <summary>The buckets the deployment's manifest declares, by logical name.</summary>
    public IReadOnlyList<string> Buckets => Manifest().Resources.Where(r => r.Kind == "bucket").Select(r => r.Name).ToList();

    public ManifestDocument Manifest() =>
        deployment.Manifest is { } json && ManifestDocument.TryParse(json) is { } manifest
            ? manifest
            : throw new MigrationInputException($"deployment {deployment.Id} of environment {environment.Name} has no manifest this version reads; deploy it again with its build's infrar.manifest.json");

    /// <summary>The bucket's physical name (a local bucket's: its folder), from the deployment's outputs.</summary>
    public string PhysicalName(string bucket)
    {
        if (deployment.Outputs is not { } json)
        {
            throw new MigrationInputException(
                $"deployment {deployment.Id} of environment {environment.Name} recorded no OpenTofu outputs (it ran before the service recorded them); deploy it again, then plan the migration");
        }

        var outputs = JsonSerializer.Deserialize<DeploymentOutputs>(json, DeploymentOutputs.Json)!;
        var name = "bucket_" + Build.Infrastructure.Naming.Identifier(bucket);
        return outputs.Values.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } physical
            ? physical
            : throw new MigrationInputException($"deployment {deployment.Id} of environment {environment.Name} has no output {name} naming bucket {bucket}");
    }

    private string? Output(string name)
    {
        var outputs = deployment.Outputs is { } json ? JsonSerializer.Deserialize<DeploymentOutputs>(json, DeploymentOutputs.Json) : null;
        return outputs?.Values.TryGetValue(name, out var value) == true && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>The bucket, through the provider's own SDK, with the environment's credentials.</summary>
    public ObjectStore OpenBucket(string bucket) => ObjectStores.Open(
        environment.Provider,
        PhysicalName(bucket),
        credentials,
        environment.Region ?? EmbeddedCatalog.Value.Providers[environment.Provider].DefaultRegion,
        DeploymentWorker.WrittenFolder(environment),
        Output);
}
