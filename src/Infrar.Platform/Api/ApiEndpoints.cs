using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Security;

namespace Infrar.Platform.Api;

/// <summary>The JSON API under /api. Reads need the viewer role, deployments deployer, approvals approver, the rest admin.</summary>
internal static class ApiEndpoints
{
    public static void Map(WebApplication app)
    {
        var api = app.MapGroup("/api");

        api.MapGet("/projects", async (PlatformStore store, CancellationToken ct) =>
            (await store.ListProjectsAsync(ct)).Select(ProjectResponse.From))
            .RequireRole(Roles.Viewer);

        api.MapPost("/projects", async (CreateProjectRequest? request, PlatformStore store, CancellationToken ct) =>
        {
            if (RequestValidation.Project(request) is { Count: > 0 } errors)
            {
                return Results.ValidationProblem(errors);
            }

            var project = await store.CreateProjectAsync(request!.Name!, ct);
            return Results.Created($"/api/projects/{project.Id}", ProjectResponse.From(project));
        }).RequireRole(Roles.Admin);

        api.MapGet("/projects/{id:long}", async (long id, PlatformStore store, CancellationToken ct) =>
            ProjectResponse.From(await store.RequireProjectAsync(id, ct)))
            .RequireRole(Roles.Viewer);

        api.MapGet("/projects/{id:long}/environments", async (long id, PlatformStore store, CancellationToken ct) =>
        {
            await store.RequireProjectAsync(id, ct);
            return (await store.ListEnvironmentsAsync(id, ct)).Select(EnvironmentResponse.From);
        }).RequireRole(Roles.Viewer);

        api.MapPost("/projects/{id:long}/environments", async (long id, CreateEnvironmentRequest? request, PlatformStore store, CredentialProtector protector, CancellationToken ct) =>
        {
            await store.RequireProjectAsync(id, ct);
            if (RequestValidation.Environment(request) is { Count: > 0 } errors)
            {
                return Results.ValidationProblem(errors);
            }

            var row = new EnvironmentRow
            {
                ProjectId = id,
                Name = request!.Name!,
                Provider = request.Provider!,
                Region = request.Region,
                Protected = request.Protected ? 1 : 0,
                Variables = JsonSerializer.Serialize(request.Variables ?? []),
                State = JsonSerializer.Serialize(request.State ?? []),
                CredentialNames = JsonSerializer.Serialize((request.Credentials ?? []).Keys.Order(StringComparer.Ordinal)),
            };
            if (request.Credentials is { Count: > 0 } credentials)
            {
                row.Credentials = protector.Protect(credentials, DeploymentWorker.CredentialContext(row));
            }

            row = await store.CreateEnvironmentAsync(row, ct);
            return Results.Created($"/api/environments/{row.Id}", EnvironmentResponse.From(row));
        }).RequireRole(Roles.Admin);

        api.MapGet("/environments", async (string? project, string? name, PlatformStore store, CancellationToken ct) =>
        {
            if (string.IsNullOrEmpty(project) || string.IsNullOrEmpty(name))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["project"] = ["Give ?project=<name>&name=<environment>."] });
            }

            var owner = await store.FindProjectAsync(project, ct) ?? throw new NotFoundException($"There is no project '{project}'.");
            var environment = (await store.ListEnvironmentsAsync(owner.Id, ct)).FirstOrDefault(e => e.Name == name)
                ?? throw new NotFoundException($"Project '{project}' has no environment '{name}'.");
            return Results.Ok(EnvironmentResponse.From(environment));
        }).RequireRole(Roles.Viewer);

        api.MapGet("/environments/{id:long}", async (long id, PlatformStore store, CancellationToken ct) =>
            EnvironmentResponse.From(await store.RequireEnvironmentAsync(id, ct)))
            .RequireRole(Roles.Viewer);

        api.MapGet("/environments/{id:long}/deployments", async (long id, PlatformStore store, CancellationToken ct) =>
        {
            await store.RequireEnvironmentAsync(id, ct);
            return (await store.ListDeploymentsAsync(id, ct)).Select(DeploymentResponse.From);
        }).RequireRole(Roles.Viewer);

        api.MapPost("/environments/{id:long}/deployments", async (long id, CreateDeploymentRequest? request, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            var environment = await store.RequireEnvironmentAsync(id, ct);
            if (RequestValidation.Deployment(request, environment.Provider) is { Count: > 0 } errors)
            {
                return Results.ValidationProblem(errors);
            }

            var deployment = await store.CreateDeploymentAsync(
                id, "deploy", JsonSerializer.Serialize(request!.Infra), request.Manifest?.GetRawText(), Caller.Of(context)!.Name, ct);
            return Results.Accepted($"/api/deployments/{deployment.Id}", DeploymentResponse.From(deployment));
        }).RequireRole(Roles.Deployer);

        api.MapPost("/environments/{id:long}/destroy", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            await store.RequireEnvironmentAsync(id, ct);
            var last = (await store.ListDeploymentsAsync(id, ct)).FirstOrDefault(d => d.Kind == "deploy" && d.Status == DeploymentStatus.Succeeded)
                ?? throw new ConflictException($"Environment {id} has no succeeded deployment to destroy.");
            var deployment = await store.CreateDeploymentAsync(id, "destroy", last.Infra, last.Manifest, Caller.Of(context)!.Name, ct);
            return Results.Accepted($"/api/deployments/{deployment.Id}", DeploymentResponse.From(deployment));
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

        api.MapGet("/deployments/{id:long}/events", LogStream.StreamAsync).RequireRole(Roles.Viewer);

        api.MapPost("/deployments/{id:long}/approve", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
            DeploymentResponse.From(await store.ApproveAsync(id, Caller.Of(context)!.Name, ct)))
            .RequireRole(Roles.Approver);

        api.MapPost("/deployments/{id:long}/cancel", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
            DeploymentResponse.From(await store.TransitionAsync(id, DeploymentStatus.Cancelled, Caller.Of(context)!.Name, ct)))
            .RequireRole(Roles.Deployer);

        api.MapPost("/tokens", async (CreateTokenRequest? request, PlatformStore store, CancellationToken ct) =>
        {
            if (RequestValidation.Token(request) is { Count: > 0 } errors)
            {
                return Results.ValidationProblem(errors);
            }

            var token = ApiTokens.Create();
            await store.CreateTokenAsync(request!.Name!, request.Role!, ApiTokens.Hash(token), ct);
            return Results.Created($"/api/tokens/{request.Name}", new TokenResponse(request.Name!, request.Role!, token));
        }).RequireRole(Roles.Admin);

        api.MapDelete("/tokens/{name}", async (string name, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            if (name == Caller.Of(context)!.Name)
            {
                throw new ConflictException($"Token '{name}' is the one making this request; revoke it with another admin token.");
            }

            return await store.DeleteTokenAsync(name, ct) ? Results.NoContent() : throw new NotFoundException($"There is no token named '{name}'.");
        }).RequireRole(Roles.Admin);

        api.MapGet("/audit", async (int? limit, PlatformStore store, CancellationToken ct) =>
            (await store.ListAuditAsync(Math.Clamp(limit ?? 100, 1, 1000), ct))
                .Select(a => new AuditResponse(a.Id, DateTimeOffset.FromUnixTimeMilliseconds(a.At), a.Actor, a.Action, a.Target, a.Outcome)))
            .RequireRole(Roles.Admin);

        api.MapGet("/whoami", (HttpContext context) => Caller.Of(context)).RequireRole(Roles.Viewer);

    }
}
