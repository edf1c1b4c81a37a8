using System.Text.Json;
using Infrar.Platform.Api;

namespace Infrar.Platform.Migrations;

/// <summary>
/// A migration to plan: the project and both environments by name; with the target build's infra (and its manifest)
/// the migration deploys the target itself, without them it copies into the target's last successful deployment.
/// A bucket of <paramref name="TransferThreshold"/> bytes or more is copied by the target cloud's transfer service where
/// one can read the source (default: the service's <c>--migration-transfer-threshold</c>).
/// </summary>
internal sealed record CreateMigrationRequest(string? Project, string? From, string? To, Dictionary<string, string>? Infra, JsonElement? Manifest, long? TransferThreshold = null);

/// <summary>Cleanup destroys the source: the caller confirms by naming it.</summary>
internal sealed record CleanupRequest(string? Confirm);

internal sealed record MigrationResponse(
    long Id,
    long ProjectId,
    string Status,
    long Pass,
    string Source,
    string Target,
    long SourceDeploymentId,
    long? TargetDeploymentId,
    long? CleanupDeploymentId,
    string RequestedBy,
    string? ApprovedBy,
    MigrationPlan? Plan,
    ProgressResponse? Progress,
    string? Failure,
    DateTimeOffset? CutOverAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static MigrationResponse From(MigrationRow row, string source, string target, MigrationProgress? progress) => new(
        row.Id,
        row.ProjectId,
        row.Status,
        row.Pass,
        source,
        target,
        row.SourceDeploymentId,
        row.TargetDeploymentId,
        row.CleanupDeploymentId,
        row.RequestedBy,
        row.ApprovedBy,
        row.Plan is { } plan ? JsonSerializer.Deserialize<MigrationPlan>(plan, MigrationPlan.Json) : null,
        progress is null ? null : ProgressResponse.From(progress),
        row.Failure,
        row.CutOverAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
        DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt));
}

/// <summary>The copy's progress in the current pass: objects and bytes, rate over the last half minute, and time left at it.</summary>
internal sealed record ProgressResponse(long Objects, long Bytes, long CopiedObjects, long CopiedBytes, long FailedObjects, double BytesPerSecond, double? EtaSeconds)
{
    public static ProgressResponse From(MigrationProgress progress) => new(
        progress.Objects, progress.Bytes, progress.CopiedObjects, progress.CopiedBytes, progress.FailedObjects, Math.Round(progress.Rate), progress.EtaSeconds is { } eta ? Math.Round(eta, 1) : null);
}

/// <summary>One object of the copy, as the API shows it.</summary>
internal sealed record MigrationObjectResponse(long Id, string Bucket, string Key, long Size, long Pass, string State, string? Md5, string? VerifiedBy, long Attempts, string? Error)
{
    public static MigrationObjectResponse From(MigrationObjectRow row) =>
        new(row.Id, row.Bucket, row.ObjectKey, row.Size, row.Pass, row.State, row.Md5, row.VerifiedBy, row.Attempts, row.Error);
}

/// <summary>What a rollback found on the target: objects written there after cutover, which the source does not have.</summary>
internal sealed record RollbackResponse(MigrationResponse Migration, long WrittenAfterCutover, IReadOnlyList<string> Objects);

/// <summary>
/// The OpenTofu last applied to hand buckets to a cloud's transfer service (its files hold no secret), which pass it
/// copies and since when, and whether anything it created may still exist in the cloud.
/// </summary>
internal sealed record TransferResponse(long? Pass, DateTimeOffset? StartedAt, bool Live, IReadOnlyDictionary<string, string> Files)
{
    public static TransferResponse From(MigrationRow row) => new(
        row.TransferPass,
        row.TransferStarted is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null,
        row.TransferState is not null,
        row.TransferFiles is { } files ? JsonSerializer.Deserialize<Dictionary<string, string>>(files)! : new Dictionary<string, string>());
}
