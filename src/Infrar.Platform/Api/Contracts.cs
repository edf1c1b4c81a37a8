using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
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
    Dictionary<string, string>? Credentials,
    ImageSettings? Image = null);

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
    ImageSettings? Image,
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
        ImageSettings.Read(row.Image),
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
    DeploymentOutputs? Outputs,
    DeploymentSourceResponse? Source,
    DeploymentImageResponse? Image,
    HealthResult? Health,
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
        row.Outputs is { } outputs ? JsonSerializer.Deserialize<DeploymentOutputs>(outputs, DeploymentOutputs.Json) : null,
        row.SourceRepository is { } repository ? new DeploymentSourceResponse(repository, row.SourceRef, row.SourceCommit) : null,
        row.Image is { } image ? new DeploymentImageResponse(image, row.ImageDigest) : null,
        HealthResult.Read(row.Health),
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt),
        DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt));
}

/// <summary>
/// A successful deployment's OpenTofu outputs: each value as OpenTofu gave it, and the names of the outputs it marks
/// sensitive, whose values are never stored or returned.
/// </summary>
internal sealed record DeploymentOutputs(IReadOnlyDictionary<string, JsonElement> Values, IReadOnlyList<string> Sensitive)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reads <c>tofu output -json</c>: <c>{"name": {"sensitive": bool, "type": …, "value": …}}</c>.</summary>
    public static DeploymentOutputs FromOutputJson(string json)
    {
        var values = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        var sensitive = new List<string>();
        using var document = JsonDocument.Parse(json);
        foreach (var output in document.RootElement.EnumerateObject())
        {
            if (output.Value.TryGetProperty("sensitive", out var flag) && flag.ValueKind == JsonValueKind.True)
            {
                sensitive.Add(output.Name);
            }
            else if (output.Value.TryGetProperty("value", out var value))
            {
                values[output.Name] = value.Clone();
            }
        }

        sensitive.Sort(StringComparer.Ordinal);
        return new DeploymentOutputs(values, sensitive);
    }
}

internal sealed record TransitionResponse(string From, string To, string Actor, DateTimeOffset At);

internal sealed record TokenResponse(string Name, string Role, string Token);

internal sealed record AuditResponse(long Id, DateTimeOffset At, string Actor, string Action, string Target, string Outcome, long Requests);

/// <summary>The image a deployment built: the reference pushed, by digest (or the archive written), and the digest.</summary>
internal sealed record DeploymentImageResponse(string Reference, string? Digest);

/// <summary>What a deployment built from source was built from: the repository, the ref asked for, the commit built.</summary>
internal sealed record DeploymentSourceResponse(string Repository, string? Ref, string? Commit);
