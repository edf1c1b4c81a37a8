using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Routing;

namespace Infrar.Platform.Api;

/// <summary>A project's source, as an admin sets it: the webhook secret goes in and never comes out.</summary>
internal sealed record SetSourceRequest(string? Repository, string? Path, Dictionary<string, string>? Branches, string? WebhookSecret);

internal sealed record SourceResponse(string Repository, string Path, IReadOnlyDictionary<string, string> Branches, bool HasWebhookSecret, string Webhook, DateTimeOffset UpdatedAt)
{
    public static SourceResponse From(ProjectRow project, ProjectSourceRow row) => new(
        row.Repository,
        row.AppPath,
        JsonSerializer.Deserialize<Dictionary<string, string>>(row.Branches)!,
        row.WebhookSecret is not null,
        $"/api/webhooks/github/{project.Name}",
        DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt));
}

/// <summary>A deployment from the project's source at a ref (a branch, a tag, or a commit id).</summary>
internal sealed record BuildRequest(string? Ref);

/// <summary>What a push did: the deployment it started, or why it started none.</summary>
internal sealed record WebhookResponse(string Outcome, long? DeploymentId);

/// <summary>
/// Deployments built from source: a project's repository, app and branch-to-environment map (admin), a deployment of
/// an environment from a ref (deployer), and GitHub's push webhook, which deploys a mapped branch's pushed commit. The
/// webhook has no token: its body must be signed with the project's secret (<c>X-Hub-Signature-256</c>), checked in
/// constant time before anything in it is read; a request that is not is refused 401 and audited.
/// </summary>
internal static class SourcesApi
{
    /// <summary>The longest push event read: GitHub caps a payload at 25 MB; the service needs only its first fields.</summary>
    private const int MaxPayloadBytes = 25 << 20;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/projects/{id:long}/source", async (long id, PlatformStore store, CancellationToken ct) =>
        {
            var project = await store.RequireProjectAsync(id, ct);
            return await store.GetProjectSourceAsync(id, ct) is { } source
                ? Results.Ok(SourceResponse.From(project, source))
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Project {project.Name} has no source; PUT one first.");
        }).RequireRole(Roles.Viewer);

        api.MapPut("/projects/{id:long}/source", async (long id, SetSourceRequest? request, HttpContext context, PlatformStore store, CredentialProtector protector, PlatformOptions options, CancellationToken ct) =>
        {
            var project = await store.RequireProjectAsync(id, ct);
            var environments = (await store.ListEnvironmentsAsync(id, ct)).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            var errors = new Dictionary<string, string[]>();
            if (request?.Repository is not { Length: > 0 } repository || SourceBuild.RepositoryProblem(repository, options.AllowLocalRepositories) is { } repositoryProblem)
            {
                errors["repository"] = [request?.Repository is { Length: > 0 } ? SourceBuild.RepositoryProblem(request.Repository, options.AllowLocalRepositories)! : "repository is required: the app's git repository (https:// or ssh://)."];
            }

            if (request?.Path is not { } path || SourceBuild.AppPathProblem(path) is not null)
            {
                errors["path"] = [request?.Path is { } given ? SourceBuild.AppPathProblem(given)! : "path is required: the app's project (folder or .csproj) in the repository."];
            }

            foreach (var (branch, environment) in request?.Branches ?? [])
            {
                if (SourceBuild.RefProblem(branch) is { } refProblem)
                {
                    errors[$"branches.{branch}"] = [refProblem];
                }
                else if (!environments.Contains(environment))
                {
                    errors[$"branches.{branch}"] = [$"project {project.Name} has no environment named '{environment}'."];
                }
            }

            if (request?.WebhookSecret is { } secret && (secret.Length is < 20 or > 256 || string.IsNullOrWhiteSpace(secret)))
            {
                errors["webhookSecret"] = ["a webhook secret is 20 to 256 characters: GitHub signs each push with it."];
            }

            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }

            var stored = await store.SetProjectSourceAsync(
                new ProjectSourceRow
                {
                    ProjectId = id,
                    Repository = request!.Repository!,
                    AppPath = request.Path!,
                    Branches = JsonSerializer.Serialize(request.Branches ?? []),
                    WebhookSecret = request.WebhookSecret is { } plain ? protector.Seal(Encoding.UTF8.GetBytes(plain), SecretContext(id)) : null,
                },
                RequestAudit.For(context, StatusCodes.Status200OK),
                ct);
            return Results.Ok(SourceResponse.From(project, stored));
        }).RequireRole(Roles.Admin);

        api.MapPost("/environments/{id:long}/builds", async (long id, BuildRequest? request, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            var idempotency = Idempotency.Of(context, request);
            if (idempotency is not null && await store.FindAnswerAsync(idempotency, ct) is { } earlier)
            {
                return Idempotency.Send(context, earlier, replayed: true);
            }

            var environment = await store.RequireEnvironmentAsync(id, ct);
            if (request?.Ref is not { Length: > 0 } reference || SourceBuild.RefProblem(reference) is not null)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["ref"] = [request?.Ref is { Length: > 0 } given ? SourceBuild.RefProblem(given)! : "ref is required: the branch, tag or commit to build."],
                });
            }

            var source = await store.GetProjectSourceAsync(environment.ProjectId, ct)
                ?? throw new ConflictException($"The project of environment {environment.Name} has no source to build from; an admin sets one with PUT /api/projects/{environment.ProjectId}/source.");
            var commit = CommitShape(reference) ? reference : null;
            var actor = Caller.Require(context).Name;
            var (answer, replayed) = await store.ChangeOnceAsync(idempotency, RequestAudit.For(context, StatusCodes.Status202Accepted), async (connection, transaction) =>
            {
                var deployment = await store.InsertDeploymentAsync(
                    connection, transaction, id, DeploymentStatus.Deploy, "{}", null, actor, new DeploymentSource(source.Repository, reference, commit));
                return Idempotency.Keep(context, StatusCodes.Status202Accepted, $"/api/deployments/{deployment.Id}", DeploymentResponse.From(deployment));
            }, ct);
            return Idempotency.Send(context, answer, replayed);
        }).RequireRole(Roles.Deployer);

        api.MapPost("/webhooks/github/{project}", PushAsync).DisableAntiforgery();
    }

    /// <summary>What the webhook secret is sealed for: its project.</summary>
    public static string SecretContext(long projectId) => $"webhook-secret:project:{projectId}";

    /// <summary>
    /// A GitHub push: checks the signature with the project's secret, then deploys the pushed commit to the environment
    /// its branch maps to (once per delivery). Any other event, or a push to another branch, starts nothing.
    /// </summary>
    private static async Task<IResult> PushAsync(string project, HttpContext context, PlatformStore store, CredentialProtector protector, CancellationToken ct)
    {
        var actor = $"webhook:{project}";
        var found = await store.FindProjectAsync(project, ct);
        var source = found is null ? null : await store.GetProjectSourceAsync(found.Id, ct);
        var body = await ReadBodyAsync(context.Request, ct);
        var signature = context.Request.Headers["X-Hub-Signature-256"].ToString();
        if (found is null || source?.WebhookSecret is not { } sealedSecret || body is null ||
            !SignatureMatches(protector.Open(sealedSecret, SecretContext(found.Id)), body, signature))
        {
            // The same answer whatever was wrong: an unknown project, no secret, no signature or a wrong one.
            var refused = RequestAudit.ForActor(context, actor, StatusCodes.Status401Unauthorized);
            refused.Outcome = signature.Length == 0 ? "401 unsigned" : "401 signature does not match";
            await store.AppendAuditAsync([refused], CancellationToken.None);
            refused.Written = true;
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "The request is not signed with this project's webhook secret (X-Hub-Signature-256).");
        }

        var delivery = context.Request.Headers["X-GitHub-Delivery"].ToString();
        var kind = context.Request.Headers["X-GitHub-Event"].ToString();
        if (kind == "ping")
        {
            return Ignored(context, actor, "ping");
        }

        string? pushedRef;
        string? commit;
        try
        {
            using var push = JsonDocument.Parse(body);
            pushedRef = push.RootElement.TryGetProperty("ref", out var r) ? r.GetString() : null;
            commit = push.RootElement.TryGetProperty("after", out var a) ? a.GetString() : null;
        }
        catch (JsonException)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The push event is not JSON."] });
        }

        if (kind != "push" || pushedRef is null || !pushedRef.StartsWith("refs/heads/", StringComparison.Ordinal) || commit is null || !CommitShape(commit) || commit.All(c => c == '0'))
        {
            return Ignored(context, actor, kind == "push" ? "a push that deploys nothing (a tag, or a deleted branch)" : $"event {kind}");
        }

        var branch = pushedRef["refs/heads/".Length..];
        var branches = JsonSerializer.Deserialize<Dictionary<string, string>>(source.Branches)!;
        if (!branches.TryGetValue(branch, out var environmentName))
        {
            return Ignored(context, actor, $"branch {branch} deploys nowhere");
        }

        var environment = (await store.ListEnvironmentsAsync(found.Id, ct)).FirstOrDefault(e => e.Name == environmentName)
            ?? throw new ConflictException($"Branch {branch} maps to environment {environmentName}, which project {project} no longer has.");

        // One deployment per delivery: GitHub redelivers a push it thinks failed, with the same delivery id.
        var idempotency = delivery.Length is > 0 and <= 100 ? new IdempotentRequest(actor, $"github-delivery:{delivery}", Convert.ToHexStringLower(SHA256.HashData(body))) : null;
        if (idempotency is not null && await store.FindAnswerAsync(idempotency, ct) is { } earlier)
        {
            return Idempotency.Send(context, earlier, replayed: true);
        }

        var (answer, replayed) = await store.ChangeOnceAsync(idempotency, RequestAudit.ForActor(context, actor, StatusCodes.Status202Accepted), async (connection, transaction) =>
        {
            var deployment = await store.InsertDeploymentAsync(
                connection, transaction, environment.Id, DeploymentStatus.Deploy, "{}", null, actor, new DeploymentSource(source.Repository, branch, commit));
            return Idempotency.Keep(context, StatusCodes.Status202Accepted, $"/api/deployments/{deployment.Id}", new WebhookResponse($"deploying {commit[..12]} of {branch} to {environment.Name}", deployment.Id));
        }, ct);
        return Idempotency.Send(context, answer, replayed);
    }

    private static IResult Ignored(HttpContext context, string actor, string why)
    {
        // Accepted (GitHub marks anything else as a failed delivery) and audited by the middleware with this outcome.
        var record = RequestAudit.ForActor(context, actor, StatusCodes.Status202Accepted);
        record.Outcome = $"202 ignored: {why}";
        return Results.Accepted(value: new WebhookResponse("ignored: " + why, null));
    }

    /// <summary>Whether <paramref name="header"/> is <c>sha256=</c> and the HMAC-SHA256 of the body with the secret, compared in constant time.</summary>
    public static bool SignatureMatches(byte[] secret, byte[] body, string header)
    {
        try
        {
            if (!header.StartsWith("sha256=", StringComparison.Ordinal) || header.Length != "sha256=".Length + 64)
            {
                return false;
            }

            byte[] given;
            try
            {
                given = Convert.FromHexString(header.AsSpan("sha256=".Length));
            }
            catch (FormatException)
            {
                return false;
            }

            return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(secret, body), given);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is > MaxPayloadBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxPayloadBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    internal static bool CommitShape(string text) => text.Length is 40 or 64 && text.All(char.IsAsciiHexDigitLower);
}
