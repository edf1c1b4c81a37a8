using System.Text.Json;
using System.Text.Json.Serialization;

namespace Infrar.Build.Manifest;

/// <summary>What the generator recorded in the assembly: the buckets and queues the code declares and every call made on them.</summary>
internal sealed record ProjectModel(int Version, IReadOnlyList<BucketModel> Buckets, IReadOnlyList<CallModel> Calls)
{
    /// <summary>The declared queues; none in a manifest written before queues.</summary>
    public IReadOnlyList<QueueModel> Queues { get; init; } = [];

    public static ProjectModel Parse(string json) =>
        JsonSerializer.Deserialize(json, ProjectModelJson.Default.ProjectModel)
            ?? throw new InvalidDataException("The Infrar manifest in the assembly is empty.");
}

/// <summary>A declared bucket and its options.</summary>
internal sealed record BucketModel(string Name, string DeclaredAt, bool Versioning, int ExpireAfterDays, IReadOnlyList<string> CorsOrigins, bool Public);

/// <summary>A declared queue and its options, in seconds.</summary>
internal sealed record QueueModel(string Name, string DeclaredAt, int VisibilityTimeoutSeconds, int MaxDeliveries, int RetentionSeconds);

/// <summary>
/// A call on a bucket or a queue; both <see cref="Bucket"/> and <see cref="Queue"/> are null when the generator could
/// not trace it. <see cref="DeadLetters"/> says a queue call is made on the queue's dead-letter queue.
/// </summary>
internal sealed record CallModel(string Operation, string? Bucket, string? Destination, string At)
{
    public string? Queue { get; init; }

    public bool DeadLetters { get; init; }

    /// <summary>Whether the generator traced the call to a declared bucket or queue.</summary>
    public bool Traced => Bucket is not null || Queue is not null;
}

/// <summary>What the code explicitly allows beyond the guardrails, from its assembly attributes.</summary>
internal sealed record Allowances(IReadOnlySet<string> PublicBuckets, IReadOnlySet<string> WideGrants)
{
    public static readonly Allowances None = new(new HashSet<string>(), new HashSet<string>());
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ProjectModel))]
internal sealed partial class ProjectModelJson : JsonSerializerContext;
