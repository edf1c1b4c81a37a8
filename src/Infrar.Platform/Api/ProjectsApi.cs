using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Routing;

namespace Infrar.Platform.Api;

/// <summary>Projects and their environments: an environment's credentials go in, and never come out.</summary>
internal static class ProjectsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/projects", async (PlatformStore store, CancellationToken ct) =>
            (await store.ListProjectsAsync(ct)).Select(ProjectResponse.From))
            .RequireRole(Roles.Viewer);

        api.MapPost("/projects", async (CreateProjectRequest? request, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            if (RequestValidation.Project(request) is { Count: > 0 } errors)
            {
                return Results.ValidationProblem(errors);
            }

            var project = await store.CreateProjectAsync(request!.Name!, RequestAudit.For(context, StatusCodes.Status201Created), ct);
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

        api.MapPost("/projects/{id:long}/environments", async (long id, CreateEnvironmentRequest? request, HttpContext context, PlatformStore store, CredentialProtector protector, PlatformOptions options, CancellationToken ct) =>
        {
            await store.RequireProjectAsync(id, ct);
            if (RequestValidation.Environment(request, options) is { Count: > 0 } errors)
            {
                return Results.ValidationProblem(errors);
            }

            var row = await store.CreateEnvironmentAsync(NewEnvironment(id, request!, protector), RequestAudit.For(context, StatusCodes.Status201Created), ct);
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
    }

    /// <summary>The row of a checked request: its settings as JSON, its credentials sealed, their names alone in the clear.</summary>
    internal static EnvironmentRow NewEnvironment(long projectId, CreateEnvironmentRequest request, CredentialProtector protector)
    {
        var row = new EnvironmentRow
        {
            ProjectId = projectId,
            Name = request.Name!,
            Provider = request.Provider!,
            Region = request.Region,
            Protected = request.Protected ? 1 : 0,
            Variables = JsonSerializer.Serialize(request.Variables ?? []),
            State = JsonSerializer.Serialize(request.State ?? []),
            CredentialNames = JsonSerializer.Serialize((request.Credentials ?? []).Keys.Order(StringComparer.Ordinal)),
            Image = request.Image?.Write(),
        };
        if (request.Credentials is { Count: > 0 } credentials)
        {
            row.Credentials = protector.Protect(credentials, DeploymentWorker.CredentialContext(row));
        }

        return row;
    }
}
