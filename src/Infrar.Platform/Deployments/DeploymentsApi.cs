using System.Text.Json;
using Infrar.Platform.Api;
using Infrar.Platform.Data;
using Infrar.Platform.Policies;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Routing;

namespace Infrar.Platform.Deployments;

/// <summary>
/// Deployments: submitting one (checked against the infrastructure policy before anything is stored), destroying an
/// environment, reading a deployment's plan, log and live events, and moving it on: approve, waive, cancel. Submitting
/// and destroying take an Idempotency-Key; every change is audited in its own transaction.
/// </summary>
internal static class DeploymentsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/environments/{id:long}/deployments", async (long id, PlatformStore store, CancellationToken ct) =>
        {
            await store.RequireEnvironmentAsync(id, ct);
            return (await store.ListDeploymentsAsync(id, ct)).Select(DeploymentResponse.From);
        }).RequireRole(Roles.Viewer);

        api.MapPost("/environments/{id:long}/deployments", async (long id, CreateDeploymentRequest? request, HttpContext context, PlatformStore store, PlatformOptions options, CancellationToken ct) =>
        {
            var idempotency = Idempotency.Of(context, request);
            if (idempotency is not null && await store.FindAnswerAsync(idempotency, ct) is { } earlier)
            {
                return Idempotency.Send(context, earlier, replayed: true);
            }

            var environment = await store.RequireEnvironmentAsync(id, ct);
            var policy = new InfraPolicy(InfraPolicy.Default.Providers.With(options.AllowedProviders));
            if (RequestValidation.Deployment(request, environment.Provider, policy, out var violations) is { Count: > 0 } errors)
            {
                return Results.ValidationProblem(
                    errors,
                    title: violations.Count > 0 ? "The infrastructure breaks the service's policy" : null,
                    extensions: violations.Count > 0 ? new Dictionary<string, object?> { ["violations"] = violations } : null);
            }

            var infra = JsonSerializer.Serialize(request!.Infra);
            return await SubmitAsync(context, store, idempotency, id, DeploymentStatus.Deploy, infra, request.Manifest?.GetRawText(), ct);
        }).RequireRole(Roles.Deployer);

        api.MapPost("/environments/{id:long}/destroy", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            var idempotency = Idempotency.Of(context, null);
            if (idempotency is not null && await store.FindAnswerAsync(idempotency, ct) is { } earlier)
            {
                return Idempotency.Send(context, earlier, replayed: true);
            }

            await store.RequireEnvironmentAsync(id, ct);
            var last = (await store.ListDeploymentsAsync(id, ct)).FirstOrDefault(d => d.Kind == DeploymentStatus.Deploy && d.Status == DeploymentStatus.Succeeded)
                ?? throw new ConflictException($"Environment {id} has no succeeded deployment to destroy.");
            return await SubmitAsync(context, store, idempotency, id, DeploymentStatus.Destroy, last.Infra, last.Manifest, ct);
        }).RequireRole(Roles.Deployer);

        api.MapGet("/deployments/{id:long}", async (long id, PlatformStore store, CancellationToken ct) =>
            DeploymentResponse.From(await store.RequireDeploymentAsync(id, ct)))
            .RequireRole(Roles.Viewer);

        api.MapGet("/deployments/{id:long}/transitions", async (long id, PlatformStore store, CancellationToken ct) =>
        {
            await store.RequireDeploymentAsync(id, ct);
            return (await store.ListTransitionsAsync(id, ct)).Select(t => new TransitionResponse(t.FromStatus, t.ToStatus, t.Actor, DateTimeOffset.FromUnixTimeMilliseconds(t.At)));
        }).RequireRole(Roles.Viewer);

        api.MapGet("/deployments/{id:long}/plan", async (long id, PlatformStore store, CancellationToken ct) =>
        {
            await store.RequireDeploymentAsync(id, ct);
            return await store.GetPlanAsync(id, ct) is { } plan
                ? Results.Text(plan, "application/json")
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Deployment {id} has no plan yet.");
        }).RequireRole(Roles.Viewer);

        api.MapGet("/deployments/{id:long}/log", async (long id, PlatformStore store, CancellationToken ct) =>
        {
            await store.RequireDeploymentAsync(id, ct);
            var lines = await store.ReadLogAsync(id, 0, ct);
            return Results.Text(string.Concat(lines.Select(l => l.Line + "\n")), "text/plain");
        }).RequireRole(Roles.Viewer);

        api.MapGet("/deployments/{id:long}/events", DeploymentEvents.StreamAsync).RequireRole(Roles.Viewer);

        api.MapPost("/deployments/{id:long}/approve", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
            DeploymentResponse.From(await store.ApproveAsync(id, Caller.Require(context).Name, ct, RequestAudit.For(context, StatusCodes.Status200OK))))
            .RequireRole(Roles.Approver);

        api.MapPost("/deployments/{id:long}/waive", async (long id, WaiveRequest? request, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            if (request?.Reason is not { Length: > 0 and <= 500 } reason || string.IsNullOrWhiteSpace(reason))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["A waiver says why, in 1 to 500 characters; the audit log keeps it."] });
            }

            return Results.Ok(DeploymentResponse.From(await store.WaiveAsync(id, Caller.Require(context).Name, reason, ct, RequestAudit.For(context, StatusCodes.Status200OK))));
        }).RequireRole(Roles.Admin);

        api.MapPost("/deployments/{id:long}/cancel", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
            DeploymentResponse.From(await store.TransitionAsync(
                id, DeploymentStatus.Cancelled, Caller.Require(context).Name, ct, audit: RequestAudit.For(context, StatusCodes.Status200OK))))
            .RequireRole(Roles.Deployer);
    }

    /// <summary>Creates the deployment (or destroy) with its audit row and its key's answer, in one transaction; answers 202.</summary>
    private static async Task<IResult> SubmitAsync(
        HttpContext context, PlatformStore store, IdempotentRequest? idempotency, long environmentId, string kind, string infra, string? manifest, CancellationToken ct)
    {
        var actor = Caller.Require(context).Name;
        var (answer, replayed) = await store.ChangeOnceAsync(idempotency, RequestAudit.For(context, StatusCodes.Status202Accepted), async (connection, transaction) =>
        {
            var deployment = await store.InsertDeploymentAsync(connection, transaction, environmentId, kind, infra, manifest, actor);
            return Idempotency.Keep(context, StatusCodes.Status202Accepted, $"/api/deployments/{deployment.Id}", DeploymentResponse.From(deployment));
        }, ct);
        return Idempotency.Send(context, answer, replayed);
    }
}
