namespace Infrar.Platform.Data;

// Rows as the database holds them; Dapper fills them by column name (snake_case to PascalCase).
internal sealed class ProjectRow
{
    public long Id { get; set; }

    public string Name { get; set; } = "";

    public long CreatedAt { get; set; }
}

internal sealed class EnvironmentRow
{
    public long Id { get; set; }

    public long ProjectId { get; set; }

    public string Name { get; set; } = "";

    public string Provider { get; set; } = "";

    public string? Region { get; set; }

    public long Protected { get; set; }

    /// <summary>JSON object of OpenTofu variables (not secret).</summary>
    public string Variables { get; set; } = "{}";

    /// <summary>JSON object of remote state settings (not secret).</summary>
    public string State { get; set; } = "{}";

    /// <summary>The credentials, encrypted; never leaves the service except into the tofu process's environment.</summary>
    public string? Credentials { get; set; }

    /// <summary>JSON array of the credentials' names, which the API may show.</summary>
    public string CredentialNames { get; set; } = "[]";

    /// <summary>JSON of <see cref="Deployments.ImageSettings"/>: where the app's image goes (schema 008); null when none is built.</summary>
    public string? Image { get; set; }

    public long CreatedAt { get; set; }
}

internal sealed class DeploymentRow
{
    public long Id { get; set; }

    public long EnvironmentId { get; set; }

    /// <summary>"deploy" or "destroy".</summary>
    public string Kind { get; set; } = "";

    public string Status { get; set; } = "";

    public string RequestedBy { get; set; } = "";

    public string? ApprovedBy { get; set; }

    /// <summary>JSON object: file name to content, the infra folder as submitted.</summary>
    public string Infra { get; set; } = "{}";

    public string? Manifest { get; set; }

    public long? PlanAdds { get; set; }

    public long? PlanChanges { get; set; }

    public long? PlanDestroys { get; set; }

    public string? Failure { get; set; }

    /// <summary>JSON array of the guardrail violations that stopped the plan.</summary>
    public string? Violations { get; set; }

    public string? WaivedBy { get; set; }

    public string? WaiverReason { get; set; }

    /// <summary>JSON: the OpenTofu outputs after a successful apply, sensitive ones by name only (schema 004).</summary>
    public string? Outputs { get; set; }

    /// <summary>For a deployment built from source (schema 007): the repository, the ref asked for, the commit built.</summary>
    public string? SourceRepository { get; set; }

    public string? SourceRef { get; set; }

    public string? SourceCommit { get; set; }

    /// <summary>The image built (schema 008): the reference pushed, by digest, or the archive written; null when none was built.</summary>
    public string? Image { get; set; }

    /// <summary>The image's manifest digest, <c>sha256:…</c>.</summary>
    public string? ImageDigest { get; set; }

    /// <summary>JSON of <see cref="Deployments.HealthResult"/>: what the health check after the apply found.</summary>
    public string? Health { get; set; }

    public long CreatedAt { get; set; }

    public long UpdatedAt { get; set; }
}

internal sealed class JobRow
{
    public long Id { get; set; }

    public long DeploymentId { get; set; }

    /// <summary>"plan", "apply" or "destroy".</summary>
    public string Step { get; set; } = "";

    public string State { get; set; } = "";

    public string? Owner { get; set; }

    public long? LeaseUntil { get; set; }

    public long? ProcessId { get; set; }

    public long? ProcessStart { get; set; }

    public string? ProcessBoot { get; set; }

    public string? WorkDir { get; set; }
}

internal sealed class LogLine
{
    public long Id { get; set; }

    public string Line { get; set; } = "";

    public long At { get; set; }
}

internal sealed class TokenRow
{
    public long Id { get; set; }

    public string Name { get; set; } = "";

    public string Role { get; set; } = "";

    public string TokenHash { get; set; } = "";

    public long CreatedAt { get; set; }
}

internal sealed class AuditRow
{
    public long Id { get; set; }

    public long At { get; set; }

    public string Actor { get; set; } = "";

    public string Action { get; set; } = "";

    public string Target { get; set; } = "";

    public string Outcome { get; set; } = "";

    /// <summary>How many requests the row stands for: 1, or a count of refused anonymous ones.</summary>
    public long Requests { get; set; } = 1;
}

internal sealed class TransitionRow
{
    public long Id { get; set; }

    public string FromStatus { get; set; } = "";

    public string ToStatus { get; set; } = "";

    public string Actor { get; set; } = "";

    public long At { get; set; }
}

/// <summary>A project's source (schema 007): where its app is and which branch deploys to which environment.</summary>
internal sealed class ProjectSourceRow
{
    public long ProjectId { get; set; }

    public string Repository { get; set; } = "";

    /// <summary>The app's project (a folder or a .csproj), relative to the repository's root.</summary>
    public string AppPath { get; set; } = "";

    /// <summary>JSON object: branch name to environment name.</summary>
    public string Branches { get; set; } = "{}";

    /// <summary>The webhook secret, sealed; null when pushes are not accepted.</summary>
    public string? WebhookSecret { get; set; }

    public long UpdatedAt { get; set; }
}
