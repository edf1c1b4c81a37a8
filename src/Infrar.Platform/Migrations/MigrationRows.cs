namespace Infrar.Platform.Migrations;

// Rows as the database holds them; Dapper fills them by column name (snake_case to PascalCase).
internal sealed class MigrationRow
{
    public long Id { get; set; }

    public long ProjectId { get; set; }

    public long SourceEnvironmentId { get; set; }

    public long TargetEnvironmentId { get; set; }

    /// <summary>The source's last successful deployment when the migration was planned: its manifest and outputs.</summary>
    public long SourceDeploymentId { get; set; }

    /// <summary>The target's deployment the copy writes into: the one the migration started, or the target's last successful one.</summary>
    public long? TargetDeploymentId { get; set; }

    /// <summary>JSON object of the target build's infra files, when the migration provisions the target itself.</summary>
    public string? TargetInfra { get; set; }

    public string? TargetManifest { get; set; }

    public string Status { get; set; } = "";

    /// <summary>1 for the first copy, then one more for each catch-up.</summary>
    public long Pass { get; set; }

    /// <summary>The last pass whose listing of the source finished.</summary>
    public long Listed { get; set; }

    /// <summary>The destroy of the source that cleanup started.</summary>
    public long? CleanupDeploymentId { get; set; }

    public string RequestedBy { get; set; } = "";

    public string? ApprovedBy { get; set; }

    /// <summary>JSON: the plan (<see cref="MigrationPlan"/>), once the source is listed.</summary>
    public string? Plan { get; set; }

    public string? Failure { get; set; }

    public string? Owner { get; set; }

    public long? LeaseUntil { get; set; }

    public long? CutOverAt { get; set; }

    public long CreatedAt { get; set; }

    public long UpdatedAt { get; set; }

    /// <summary>The bucket size from which the plan handed the copy to the target cloud's transfer service.</summary>
    public long? TransferThreshold { get; set; }

    /// <summary>JSON object of the OpenTofu files last applied for a transfer service (no secrets: those are variables).</summary>
    public string? TransferFiles { get; set; }

    /// <summary>The state of what a transfer created, sealed; not null while any of it may still exist.</summary>
    public string? TransferState { get; set; }

    /// <summary>The pass whose transfer jobs were applied and are copying; null when none is.</summary>
    public long? TransferPass { get; set; }

    /// <summary>When those jobs were applied (Unix milliseconds).</summary>
    public long? TransferStarted { get; set; }
}

internal sealed class MigrationObjectRow
{
    public long Id { get; set; }

    public string Bucket { get; set; } = "";

    public string ObjectKey { get; set; } = "";

    public long Size { get; set; }

    public string SourceEtag { get; set; } = "";

    public long ModifiedAt { get; set; }

    public long Pass { get; set; }

    public string State { get; set; } = "";

    public string? Md5 { get; set; }

    public string? VerifiedBy { get; set; }

    public long Attempts { get; set; }

    public string? Error { get; set; }
}

/// <summary>Where a migration's copy is: objects and bytes by state, and the bytes copied in the last half minute.</summary>
internal sealed record MigrationProgress(long Objects, long Bytes, long CopiedObjects, long CopiedBytes, long FailedObjects, long RecentBytes, double RecentSeconds)
{
    /// <summary>Bytes a second over the last half minute.</summary>
    public double Rate => RecentSeconds > 0 ? RecentBytes / RecentSeconds : 0;

    /// <summary>Seconds left at that rate; null while nothing has been copied lately.</summary>
    public double? EtaSeconds => Rate > 0 ? (Bytes - CopiedBytes) / Rate : null;
}
