using System.Text.Json;
using System.Text.Json.Serialization;

namespace Infrar.Platform.Migrations;

/// <summary>
/// What a migration will do, as it is stored, returned and shown: both sides, every resource the target gets, every
/// bucket to copy with what the source held when it was listed, the cost of both sides and of the copy, how long the
/// copy should take, and what behaves differently on the target.
/// </summary>
internal sealed record MigrationPlan(
    PlanSide Source,
    PlanSide Target,
    string Provisioning,
    IReadOnlyList<PlanResource> Resources,
    IReadOnlyList<PlanBucket> Buckets,
    PlanCost Cost,
    double EstimatedSeconds,
    IReadOnlyList<string> Risks,
    long? TransferThreshold = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public long Objects => Buckets.Sum(b => b.Objects);

    public long Bytes => Buckets.Sum(b => b.Bytes);
}

/// <summary>One environment of the migration, and the deployment it is taken from (the target's: null until provisioned).</summary>
internal sealed record PlanSide(long EnvironmentId, string Environment, string Provider, string? Region, bool Protected, long? DeploymentId);

/// <summary>A resource the target's deployment has: a bucket or a queue, by its logical name.</summary>
internal sealed record PlanResource(string Kind, string Name, string Action);

/// <summary>
/// A bucket to copy: its physical name on the source, what the source held when listed, and which engine copies it
/// (<see cref="Transfers.TransferEngines"/>: the service itself, or the target cloud's transfer service) and why.
/// </summary>
internal sealed record PlanBucket(string Name, string SourceName, long Objects, long Bytes, string? Engine = null, string? Why = null)
{
    /// <summary>True when a cloud's transfer service copies the bucket, not the service (plans made before engines: the service).</summary>
    [JsonIgnore]
    public bool ByTransferService => Engine is not null && Engine != Transfers.TransferEngines.Infrar;
}

/// <summary>Monthly cost of the app on each side (from the cost engine, with the buckets' listed size), and the one-off egress of the copy.</summary>
internal sealed record PlanCost(string Currency, decimal? SourceMonthly, decimal? TargetMonthly, decimal? CopyEgress, decimal CopyGb, IReadOnlyList<string> Notes);
