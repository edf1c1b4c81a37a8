using System.Text.Json;
using System.Text.Json.Serialization;

namespace Infrar.Build.Manifest;

/// <summary>What the generator recorded in the assembly: the buckets the code declares and every call made on them.</summary>
internal sealed record ProjectModel(int Version, IReadOnlyList<BucketModel> Buckets, IReadOnlyList<CallModel> Calls)
{
    public static ProjectModel Parse(string json) =>
        JsonSerializer.Deserialize(json, ProjectModelJson.Default.ProjectModel)
            ?? throw new InvalidDataException("The Infrar manifest in the assembly is empty.");
}

/// <summary>A declared bucket and its options.</summary>
internal sealed record BucketModel(string Name, string DeclaredAt, bool Versioning, int ExpireAfterDays, IReadOnlyList<string> CorsOrigins, bool Public);

/// <summary>A call on a bucket; <see cref="Bucket"/> is null when the generator could not trace it.</summary>
internal sealed record CallModel(string Operation, string? Bucket, string? Destination, string At);

/// <summary>What the code explicitly allows beyond the guardrails, from its assembly attributes.</summary>
internal sealed record Allowances(IReadOnlySet<string> PublicBuckets, IReadOnlySet<string> WideGrants)
{
    public static readonly Allowances None = new(new HashSet<string>(), new HashSet<string>());
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProjectModel))]
internal sealed partial class ProjectModelJson : JsonSerializerContext;
