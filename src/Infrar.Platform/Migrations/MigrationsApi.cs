using System.Text.Json;
using Infrar.Platform.Api;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Policies;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Routing;

namespace Infrar.Platform.Migrations;

/// <summary>
/// Migrations (docs/migration.md): planning one (the worker lists the source and prices both sides), starting it
/// (after another user's approval when either environment is protected), following it, and moving it on: catch-up, cutover,
/// rollback, cleanup, cancel, retry. Every change is audited in the transaction that makes it; creating one takes an
/// Idempotency-Key.
/// </summary>
internal static class MigrationsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/migrations", CreateAsync).RequireRole(Roles.Deployer);

        api.MapGet("/projects/{id:long}/migrations", async (long id, PlatformStore store, MigrationStore migrations, CancellationToken ct) =>
        {
            await store.RequireProjectAsync(id, ct);
            var names = (await store.ListEnvironmentsAsync(id, ct)).ToDictionary(e => e.Id, e => e.Name);
            return (await migrations.ListAsync(id, ct)).Select(m => MigrationResponse.From(m, names[m.SourceEnvironmentId], names[m.TargetEnvironmentId], null));
        }).RequireRole(Roles.Viewer);

        api.MapGet("/migrations/{id:long}", async (long id, PlatformStore store, MigrationStore migrations, CancellationToken ct) =>
            await ResponseAsync(await migrations.RequireAsync(id, ct), store, migrations, ct))
            .RequireRole(Roles.Viewer);

        api.MapGet("/migrations/{id:long}/objects", async (long id, string? state, string? bucket, long? after, int? limit, MigrationStore migrations, CancellationToken ct) =>
        {
            await migrations.RequireAsync(id, ct);
            var rows = await migrations.ListObjectsAsync(id, bucket, state, after ?? 0, Math.Clamp(limit ?? 100, 1, 1000), ct);
            return rows.Select(MigrationObjectResponse.From);
        }).RequireRole(Roles.Viewer);

        api.MapGet("/migrations/{id:long}/transitions", async (long id, MigrationStore migrations, CancellationToken ct) =>
        {
            await migrations.RequireAsync(id, ct);
            return (await migrations.ListTransitionsAsync(id, ct)).Select(t => new TransitionResponse(t.FromStatus, t.ToStatus, t.Actor, DateTimeOffset.FromUnixTimeMilliseconds(t.At)));
        }).RequireRole(Roles.Viewer);

        api.MapGet("/migrations/{id:long}/log", async (long id, MigrationStore migrations, CancellationToken ct) =>
        {
            await migrations.RequireAsync(id, ct);
            return Results.Text(string.Concat((await migrations.ReadLogAsync(id, 0, ct)).Select(l => l.Line + "\n")), "text/plain");
        }).RequireRole(Roles.Viewer);

        api.MapGet("/migrations/{id:long}/events", StreamAsync).RequireRole(Roles.Viewer);

        api.MapGet("/migrations/{id:long}/transfer", async (long id, MigrationStore migrations, CancellationToken ct) =>
            TransferResponse.From(await migrations.RequireAsync(id, ct)))
            .RequireRole(Roles.Viewer);

        api.MapPost("/migrations/{id:long}/start", async (long id, HttpContext context, PlatformStore store, MigrationStore migrations, CancellationToken ct) =>
            await ResponseAsync(await migrations.StartAsync(id, Caller.Require(context).Name, RequestAudit.For(context, StatusCodes.Status200OK), ct), store, migrations, ct))
            .RequireRole(Roles.Deployer);

        api.MapPost("/migrations/{id:long}/approve", async (long id, HttpContext context, PlatformStore store, MigrationStore migrations, CancellationToken ct) =>
            await ResponseAsync(await migrations.ApproveAsync(id, Caller.Require(context).Name, RequestAudit.For(context, StatusCodes.Status200OK), ct), store, migrations, ct))
            .RequireRole(Roles.Approver);

        api.MapPost("/migrations/{id:long}/catchup", (long id, HttpContext context, PlatformStore store, MigrationStore migrations, CancellationToken ct) =>
            MoveAsync(context, store, migrations, id, MigrationStatus.Copying, expectedFrom: MigrationStatus.Ready,
                also: (connection, transaction, _) => MigrationStore.NextPassAsync(connection, transaction, id), ct: ct))
            .RequireRole(Roles.Deployer);

        api.MapPost("/migrations/{id:long}/cutover", async (long id, HttpContext context, PlatformStore store, MigrationStore migrations, CancellationToken ct) =>
            await ResponseAsync(await migrations.CutOverAsync(id, Caller.Require(context).Name, RequestAudit.For(context, StatusCodes.Status200OK), ct), store, migrations, ct))
            .RequireRole(Roles.Deployer);

        api.MapPost("/migrations/{id:long}/rollback", RollbackAsync).RequireRole(Roles.Deployer);

        api.MapPost("/migrations/{id:long}/cleanup", async (long id, CleanupRequest? request, HttpContext context, PlatformStore store, MigrationStore migrations, CancellationToken ct) =>
        {
            var migration = await migrations.RequireAsync(id, ct);
            var source = await store.RequireEnvironmentAsync(migration.SourceEnvironmentId, ct);
            if (request?.Confirm != source.Name)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["confirm"] = [$"Cleanup destroys the source environment's infrastructure, its buckets included: confirm with the source's name, \"{source.Name}\"."],
                });
            }

            return await MoveAsync(context, store, migrations, id, MigrationStatus.CleaningUp, expectedFrom: MigrationStatus.CutOver, ct: ct);
        }).RequireRole(Roles.Deployer);

        api.MapPost("/migrations/{id:long}/cancel", (long id, HttpContext context, PlatformStore store, MigrationStore migrations, CancellationToken ct) =>
            MoveAsync(context, store, migrations, id, MigrationStatus.Cancelled, ct: ct))
            .RequireRole(Roles.Deployer);

        api.MapPost("/migrations/{id:long}/retry", async (long id, HttpContext context, PlatformStore store, MigrationStore migrations, CancellationToken ct) =>
        {
            var migration = await migrations.RequireAsync(id, ct);
            if (migration.TargetDeploymentId is not { } targetId || (await store.RequireDeploymentAsync(targetId, ct)).Status != DeploymentStatus.Succeeded)
            {
                throw new ConflictException($"Migration {id} failed before its target was deployed; plan a new migration.");
            }

            return await MoveAsync(context, store, migrations, id, MigrationStatus.Copying, expectedFrom: MigrationStatus.Failed,
                also: (connection, transaction, _) => migrations.RetryFailedAsync(connection, transaction, id), ct: ct);
        }).RequireRole(Roles.Deployer);
    }

    private static async Task<IResult> CreateAsync(CreateMigrationRequest? request, HttpContext context, PlatformStore store, MigrationStore migrations, PlatformOptions options, CancellationToken ct)
    {
        var idempotency = Idempotency.Of(context, request);
        if (idempotency is not null && await store.FindAnswerAsync(idempotency, ct) is { } earlier)
        {
            return Idempotency.Send(context, earlier, replayed: true);
        }

        var errors = new Dictionary<string, string[]>();
        foreach (var (field, value) in new[] { ("project", request?.Project), ("from", request?.From), ("to", request?.To) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors[field] = [$"{field} is required: the project, and the names of the environment to migrate from and to."];
            }
        }

        if (request?.TransferThreshold is < 0)
        {
            errors["transferThreshold"] = ["transferThreshold is a size in bytes: 0 or more (0 hands every bucket a cloud's transfer service can read to it)."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        var project = await store.FindProjectAsync(request!.Project!, ct) ?? throw new NotFoundException($"There is no project named '{request.Project}'.");
        var environments = await store.ListEnvironmentsAsync(project.Id, ct);
        var source = environments.FirstOrDefault(e => e.Name == request.From) ?? throw new NotFoundException($"Project {project.Name} has no environment named '{request.From}'.");
        var target = environments.FirstOrDefault(e => e.Name == request.To) ?? throw new NotFoundException($"Project {project.Name} has no environment named '{request.To}'.");
        if (source.Id == target.Id)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["A migration moves an app from one environment to another: from and to must differ."] });
        }

        var sourceDeployment = await LiveDeploymentAsync(store, source, ct)
            ?? throw new ConflictException($"Environment {source.Name} has no successful deployment to migrate from.");
        DeploymentRow? targetDeployment = null;
        string? infra = null;
        string? manifest = null;
        if (request.Infra is not null)
        {
            if (request.Manifest is null)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["manifest"] = [$"With the target build's infra, send its infrar.manifest.json too (dotnet build -p:InfrarProvider={target.Provider})."],
                });
            }

            var deployment = new CreateDeploymentRequest(request.Infra, request.Manifest);
            var policy = new InfraPolicy(InfraPolicy.Default.Providers.With(options.AllowedProviders));
            if (RequestValidation.Deployment(deployment, target.Provider, policy, out var violations) is { Count: > 0 } problems)
            {
                return Results.ValidationProblem(
                    problems,
                    title: violations.Count > 0 ? "The target's infrastructure breaks the service's policy" : null,
                    extensions: violations.Count > 0 ? new Dictionary<string, object?> { ["violations"] = violations } : null);
            }

            infra = JsonSerializer.Serialize(request.Infra);
            manifest = request.Manifest.Value.GetRawText();
        }
        else
        {
            targetDeployment = await LiveDeploymentAsync(store, target, ct)
                ?? throw new ConflictException($"Environment {target.Name} has no successful deployment to copy into; send the target build's infra (and manifest) to deploy it as part of the migration.");
        }

        foreach (var environment in new[] { source, target })
        {
            if (await migrations.FindActiveAsync(environment.Id, ct) is { } active)
            {
                throw new ConflictException($"Environment {environment.Name} is in migration {active}, which has not ended; one migration at a time per environment.");
            }
        }

        var actor = Caller.Require(context).Name;
        var (answer, replayed) = await store.ChangeOnceAsync(idempotency, RequestAudit.For(context, StatusCodes.Status202Accepted), async (connection, transaction) =>
        {
            var migration = await MigrationStore.InsertAsync(connection, transaction, new MigrationRow
            {
                ProjectId = project.Id,
                SourceEnvironmentId = source.Id,
                TargetEnvironmentId = target.Id,
                SourceDeploymentId = sourceDeployment.Id,
                TargetDeploymentId = targetDeployment?.Id,
                TargetInfra = infra,
                TargetManifest = manifest,
                RequestedBy = actor,
                TransferThreshold = request.TransferThreshold ?? options.MigrationTransferThreshold,
            });
            return Idempotency.Keep(context, StatusCodes.Status202Accepted, $"/api/migrations/{migration.Id}", MigrationResponse.From(migration, source.Name, target.Name, null));
        }, ct);
        return Idempotency.Send(context, answer, replayed);
    }

    /// <summary>The environment's live deployment: its last deploy that succeeded, unless a destroy ended after it.</summary>
    private static async Task<DeploymentRow?> LiveDeploymentAsync(PlatformStore store, EnvironmentRow environment, CancellationToken ct)
    {
        foreach (var deployment in await store.ListDeploymentsAsync(environment.Id, ct))
        {
            if (deployment.Kind == DeploymentStatus.Destroy && deployment.Status == DeploymentStatus.Destroyed)
            {
                return null;
            }

            if (deployment.Kind == DeploymentStatus.Deploy && deployment.Status == DeploymentStatus.Succeeded)
            {
                return deployment;
            }
        }

        return null;
    }

    /// <summary>
    /// Rolls back: the source stays (or is again) the app's live environment. After cutover, lists the target for objects
    /// written there since, which exist only on the target, so they can be copied back; nothing is deleted.
    /// </summary>
    private static async Task<IResult> RollbackAsync(long id, HttpContext context, PlatformStore store, MigrationStore migrations, CredentialProtector protector, CancellationToken ct)
    {
        var migration = await migrations.RequireAsync(id, ct);
        var written = new List<string>();
        long count = 0;
        if (migration.CutOverAt is { } cutOver && migration.Status == MigrationStatus.CutOver && migration.TargetDeploymentId is { } targetId)
        {
            var source = MigrationSide.Open(await store.RequireEnvironmentAsync(migration.SourceEnvironmentId, ct), await store.RequireDeploymentAsync(migration.SourceDeploymentId, ct), protector);
            var target = MigrationSide.Open(await store.RequireEnvironmentAsync(migration.TargetEnvironmentId, ct), await store.RequireDeploymentAsync(targetId, ct), protector);
            foreach (var bucket in source.Buckets)
            {
                await using var objects = target.OpenBucket(bucket);
                await foreach (var listed in objects.ListAsync(ct))
                {
                    if (listed.LastModified.ToUnixTimeMilliseconds() > cutOver)
                    {
                        count++;
                        if (written.Count < 1000)
                        {
                            written.Add($"{bucket}/{listed.Key}");
                        }
                    }
                }
            }
        }

        var audit = RequestAudit.For(context, StatusCodes.Status200OK);
        audit.Outcome += count > 0 ? $" {count} objects written on the target after cutover" : "";
        var moved = await migrations.TransitionAsync(id, MigrationStatus.RolledBack, Caller.Require(context).Name, ct, audit: audit);
        var lines = new List<string> { $"infrar: rolled back by {audit.Actor}; the source is the app's live environment" };
        lines.AddRange(written.Select(o => $"infrar: written on the target after cutover (only there): {o}"));
        if (count > 0)
        {
            lines.Add($"infrar: {count} objects were written on the target after cutover; copy them back before the target is destroyed");
        }

        await migrations.AppendLogAsync(id, lines, CancellationToken.None);
        return Results.Ok(new RollbackResponse(await ResponseAsync(moved, store, migrations, ct), count, written));
    }

    private static async Task<IResult> MoveAsync(
        HttpContext context,
        PlatformStore store,
        MigrationStore migrations,
        long id,
        string to,
        string? expectedFrom = null,
        Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, MigrationRow, Task>? also = null,
        CancellationToken ct = default)
    {
        var moved = await migrations.TransitionAsync(
            id, to, Caller.Require(context).Name, ct, audit: RequestAudit.For(context, StatusCodes.Status200OK), also: also, expectedFrom: expectedFrom);
        return Results.Ok(await ResponseAsync(moved, store, migrations, ct));
    }

    private static async Task<MigrationResponse> ResponseAsync(MigrationRow migration, PlatformStore store, MigrationStore migrations, CancellationToken ct)
    {
        var source = await store.RequireEnvironmentAsync(migration.SourceEnvironmentId, ct);
        var target = await store.RequireEnvironmentAsync(migration.TargetEnvironmentId, ct);
        return MigrationResponse.From(migration, source.Name, target.Name, await migrations.ProgressAsync(migration.Id, ct));
    }

    /// <summary>
    /// The migration as Server-Sent Events: "log" lines (the line id as event id, for Last-Event-ID), a "status" event
    /// per transition, a "progress" event (JSON) each second, and "end" once it ended or waits for a person.
    /// </summary>
    internal static async Task StreamAsync(long id, HttpContext context, MigrationStore migrations, CancellationToken cancellationToken)
    {
        await migrations.RequireAsync(id, cancellationToken);
        var lastLine = DeploymentEvents.Begin(context);
        var lastTransition = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                lastLine = await DeploymentEvents.WriteLogAsync(context, await migrations.ReadLogAsync(id, lastLine, cancellationToken), lastLine, cancellationToken);

                var transitions = await migrations.ListTransitionsAsync(id, cancellationToken);
                foreach (var transition in transitions.Skip(lastTransition))
                {
                    await context.Response.WriteAsync($"event: status\ndata: {transition.ToStatus}\n\n", cancellationToken);
                }

                lastTransition = transitions.Count;
                var progress = ProgressResponse.From(await migrations.ProgressAsync(id, cancellationToken));
                await context.Response.WriteAsync($"event: progress\ndata: {JsonSerializer.Serialize(progress, MigrationPlan.Json)}\n\n", cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
                var status = transitions[^1].ToStatus;
                if (!MigrationStatus.Working.Contains(status))
                {
                    await context.Response.WriteAsync($"event: end\ndata: {status}\n\n", cancellationToken);
                    await context.Response.Body.FlushAsync(cancellationToken);
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }
}
