using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Policies;

namespace Infrar.Platform.Api;

internal sealed record CreateProjectRequest(string? Name);

internal sealed record CreateEnvironmentRequest(
    string? Name,
    string? Provider,
    string? Region,
    bool Protected,
    Dictionary<string, string>? Variables,
    Dictionary<string, string>? State,
    Dictionary<string, string>? Credentials);

internal sealed record CreateDeploymentRequest(Dictionary<string, string>? Infra, JsonElement? Manifest);

internal sealed record CreateTokenRequest(string? Name, string? Role);

internal sealed record WaiveRequest(string? Reason);

internal sealed record ProjectResponse(long Id, string Name, DateTimeOffset CreatedAt)
{
    public static ProjectResponse From(ProjectRow row) => new(row.Id, row.Name, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt));
}

/// <summary>An environment as the API shows it: its credentials' names, never their values.</summary>
internal sealed record EnvironmentResponse(
    long Id,
    long ProjectId,
    string Name,
    string Provider,
    string? Region,
    bool Protected,
    IReadOnlyDictionary<string, string> Variables,
    IReadOnlyDictionary<string, string> State,
    IReadOnlyList<string> CredentialNames,
    DateTimeOffset CreatedAt)
{
    public static EnvironmentResponse From(EnvironmentRow row) => new(
        row.Id,
        row.ProjectId,
        row.Name,
        row.Provider,
        row.Region,
        row.Protected != 0,
        JsonSerializer.Deserialize<Dictionary<string, string>>(row.Variables)!,
        JsonSerializer.Deserialize<Dictionary<string, string>>(row.State)!,
        JsonSerializer.Deserialize<List<string>>(row.CredentialNames)!,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt));
}

internal sealed record PlanCounts(long Adds, long Changes, long Destroys);

internal sealed record DeploymentResponse(
    long Id,
    long EnvironmentId,
    string Kind,
    string Status,
    string RequestedBy,
    string? ApprovedBy,
    PlanCounts? Plan,
    string? Failure,
    IReadOnlyList<GuardrailViolation>? Violations,
    string? WaivedBy,
    string? WaiverReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static DeploymentResponse From(DeploymentRow row) => new(
        row.Id,
        row.EnvironmentId,
        row.Kind,
        row.Status,
        row.RequestedBy,
        row.ApprovedBy,
        row.PlanAdds is { } adds ? new PlanCounts(adds, row.PlanChanges ?? 0, row.PlanDestroys ?? 0) : null,
        row.Failure,
        row.Violations is { } violations ? JsonSerializer.Deserialize<List<GuardrailViolation>>(violations, GuardrailPolicy.Json) : null,
        row.WaivedBy,
        row.WaiverReason,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
        DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt));
}

internal sealed record TransitionResponse(string From, string To, string Actor, DateTimeOffset At);

internal sealed record TokenResponse(string Name, string Role, string Token);

internal sealed record AuditResponse(long Id, DateTimeOffset At, string Actor, string Action, string Target, string Outcome, long Requests);
