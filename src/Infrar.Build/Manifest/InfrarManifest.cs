using System.Text.Json;
using System.Text.Json.Serialization;
using Infrar.Build.Infrastructure;
using Infrar.Generators.Catalog;
using Infrar.Naming;

namespace Infrar.Build.Manifest;

/// <summary>
/// <c>infrar.manifest.json</c>, schema version 1 (docs/manifest.md): what the app uses, how it is hosted, and for each
/// operation on each bucket the call sites and the permissions granted. Cost, deploy and migration read it.
/// </summary>
internal sealed record InfrarManifest(
    int SchemaVersion,
    string Project,
    string Provider,
    ServiceSettings Service,
    IReadOnlyList<ManifestResource> Resources,
    IReadOnlyList<ManifestCall> UntracedCalls)
{
    public const int CurrentSchemaVersion = 1;

    public static InfrarManifest Create(string project, string provider, ServiceSettings service, ProjectModel model, InfrarCatalog catalog)
    {
        catalog.Providers.TryGetValue(provider, out var binding);
        var resources = model.Buckets
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .Select(bucket => new ManifestResource(
                "bucket",
                bucket.Name,
                ResourceNames.BucketEnvironmentVariable(bucket.Name),
                bucket.DeclaredAt,
                new ManifestBucketOptions(bucket.Versioning, bucket.ExpireAfterDays, bucket.CorsOrigins, bucket.Public),
                [.. model.Calls
                    .Where(c => c.Bucket == bucket.Name || c.Destination == bucket.Name)
                    .GroupBy(c => c.Operation)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => new ManifestOperation(
                        g.Key,
                        catalog.Operations.TryGetValue(g.Key, out var definition) ? definition.Access : "unknown",
                        [.. g.Select(c => c.At).Distinct().Order(CallSites.Comparer)],
                        Permissions(binding?.Storage, g.Key, g.Any(c => c.Bucket == bucket.Name), g.Any(c => c.Destination == bucket.Name))))]))
            .Concat(model.Queues
                .OrderBy(q => q.Name, StringComparer.Ordinal)
                .Select(queue => new ManifestResource(
                    "queue",
                    queue.Name,
                    ResourceNames.QueueEnvironmentVariable(queue.Name),
                    queue.DeclaredAt,
                    null,
                    [.. model.Calls
                        .Where(c => c.Queue == queue.Name)
                        .GroupBy(c => c.Operation)
                        .OrderBy(g => g.Key, StringComparer.Ordinal)
                        .Select(g => new ManifestOperation(
                            g.Key,
                            catalog.Operation(g.Key)?.Access ?? "unknown",
                            [.. g.Select(c => c.At).Distinct().Order(CallSites.Comparer)],
                            Permissions(binding?.Queues, g.Key, onSource: true, onDestination: false)))])
                {
                    QueueOptions = new ManifestQueueOptions(queue.VisibilityTimeoutSeconds, queue.MaxDeliveries, queue.RetentionSeconds),
                }))
            .ToList();

        return new InfrarManifest(
            CurrentSchemaVersion,
            project,
            provider,
            service,
            resources,
            [.. model.Calls.Where(c => !c.Traced).Select(c => new ManifestCall(c.Operation, c.At))]);
    }

    public string ToJson() => JsonSerializer.Serialize(this, InfrarManifestJson.Default.InfrarManifest).Replace("\r\n", "\n") + "\n";

    public static InfrarManifest Parse(string json) =>
        JsonSerializer.Deserialize(json, InfrarManifestJson.Default.InfrarManifest) ?? throw new InvalidDataException("The manifest is empty.");

    private static IReadOnlyList<string> Permissions(CapabilityBinding? storage, string operation, bool onSource, bool onDestination)
    {
        if (storage is null || !storage.Operations.TryGetValue(operation, out var template))
        {
            return [];
        }

        return [.. (onSource ? template.Permissions : []).Concat(onDestination ? template.DestinationPermissions : []).Distinct().Order(StringComparer.Ordinal)];
    }
}

/// <summary>A bucket (with <see cref="Options"/>) or a queue (with <see cref="QueueOptions"/>), and the operations the code does on it.</summary>
internal sealed record ManifestResource(
    string Kind,
    string Name,
    string EnvironmentVariable,
    string DeclaredAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ManifestBucketOptions? Options,
    IReadOnlyList<ManifestOperation> Operations)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ManifestQueueOptions? QueueOptions { get; init; }
}

internal sealed record ManifestQueueOptions(int VisibilityTimeoutSeconds, int MaxDeliveries, int RetentionSeconds);

internal sealed record ManifestBucketOptions(bool Versioning, int ExpireAfterDays, IReadOnlyList<string> CorsOrigins, bool Public);

internal sealed record ManifestOperation(string Id, string Access, IReadOnlyList<string> CallSites, IReadOnlyList<string> Permissions);

internal sealed record ManifestCall(string Operation, string CallSite);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(InfrarManifest))]
internal sealed partial class InfrarManifestJson : JsonSerializerContext;
