using System.Globalization;
using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Migrations;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Routing;
using static Infrar.Platform.Dashboard.Html;

namespace Infrar.Platform.Dashboard;

/// <summary>
/// Migrations in the dashboard: the list, and a page per migration with its live progress (objects, bytes, rate, time
/// left), the cost comparison of both sides and the copy, the buckets, the risks, the log, and the forms that move it
/// on (start, approve, cut over) for those whose role allows it.
/// </summary>
internal static class MigrationPages
{
    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/ui/migrations", async (HttpContext context, PlatformStore store, MigrationStore migrations, CancellationToken ct) =>
        {
            var rows = new List<string[]>();
            foreach (var project in await store.ListProjectsAsync(ct))
            {
                var names = (await store.ListEnvironmentsAsync(project.Id, ct)).ToDictionary(e => e.Id, e => e.Name);
                foreach (var migration in await migrations.ListAsync(project.Id, ct))
                {
                    rows.Add(
                    [
                        $"<a href=\"/ui/migrations/{migration.Id}\">#{migration.Id}</a>",
                        E(project.Name),
                        $"{E(names[migration.SourceEnvironmentId])} → {E(names[migration.TargetEnvironmentId])}",
                        $"<span class=\"status {E(migration.Status)}\">{E(migration.Status)}</span>",
                        E(migration.RequestedBy),
                        E(DateTimeOffset.FromUnixTimeMilliseconds(migration.CreatedAt).ToString("u", CultureInfo.InvariantCulture)),
                    ]);
                }
            }

            var body = rows.Count == 0
                ? "<p>No migrations yet. Plan one with <code>infrar migrate plan</code> or <code>POST /api/migrations</code>.</p>"
                : Table(["Migration", "Project", "From → to", "Status", "Requested by", "Created"], rows);
            return Page("Migrations", body, Caller.Require(context), SessionHandler.CsrfOf(context));
        }).RequireSession();

        ui.MapGet("/ui/migrations/{id:long}", async (long id, HttpContext context, PlatformStore store, MigrationStore migrations, CancellationToken ct) =>
        {
            var caller = Caller.Require(context);
            var csrf = SessionHandler.CsrfOf(context)!;
            var migration = await migrations.RequireAsync(id, ct);
            var source = await store.RequireEnvironmentAsync(migration.SourceEnvironmentId, ct);
            var target = await store.RequireEnvironmentAsync(migration.TargetEnvironmentId, ct);
            var progress = await migrations.ProgressAsync(id, ct);
            var lines = await migrations.ReadLogAsync(id, 0, ct);
            var plan = migration.Plan is { } json ? JsonSerializer.Deserialize<MigrationPlan>(json, MigrationPlan.Json) : null;
            var body = $"""
                <p>{E(source.Name)} ({E(source.Provider)}) → {E(target.Name)} ({E(target.Provider)}), requested by {E(migration.RequestedBy)}{(migration.ApprovedBy is { } approver ? ", approved by " + E(approver) : "")}.
                Status: <span id="status" class="status {E(migration.Status)}">{E(migration.Status)}</span> (pass {migration.Pass})</p>
                {(migration.Failure is { } failure ? $"<p class=\"failed\">{E(failure)}</p>" : "")}
                <p><progress id="progress-bar" max="{Math.Max(1, progress.Bytes)}" value="{progress.CopiedBytes}"></progress>
                <span id="progress">{E(Describe(progress))}</span></p>
                {Forms(migration, caller, csrf)}
                {(plan is null ? "<p>Listing the source…</p>" : Plan(plan))}
                {Transfer(migration)}
                <h2>Log</h2>
                <pre id="log">{string.Concat(lines.Select(l => E(l.Line) + "\n"))}</pre>
                """;
            var data = $" data-migration=\"{id}\" data-status=\"{E(migration.Status)}\" data-seen=\"{lines.LastOrDefault()?.Id ?? 0}\"";
            return Page($"Migration #{id}", body, caller, csrf, data);
        }).RequireSession();

        ui.MapGet("/ui/migrations/{id:long}/events", MigrationsApi.StreamAsync).RequireSession();

        MapAction(ui, "start", Roles.Deployer, (migrations, id, actor, audit, ct) => migrations.StartAsync(id, actor, audit, ct));
        MapAction(ui, "approve", Roles.Approver, (migrations, id, actor, audit, ct) => migrations.ApproveAsync(id, actor, audit, ct));
        MapAction(ui, "cutover", Roles.Deployer, (migrations, id, actor, audit, ct) => migrations.CutOverAsync(id, actor, audit, ct));
    }

    /// <summary>A form's post: the same move as the API's, with the session's form token checked and the page shown again.</summary>
    private static void MapAction(RouteGroupBuilder ui, string action, string role, Func<MigrationStore, long, string, AuditRecord, CancellationToken, Task<MigrationRow>> move) =>
        ui.MapPost($"/ui/migrations/{{id:long}}/{action}", async (long id, HttpContext context, MigrationStore migrations, CancellationToken ct) =>
        {
            await Dashboard.Forms.ReadCheckedAsync(context);
            await move(migrations, id, Caller.Require(context).Name, RequestAudit.For(context, StatusCodes.Status302Found), ct);
            return Results.Redirect($"/ui/migrations/{id}");
        }).RequireSession(role);

    private static string Forms(MigrationRow migration, Caller caller, string csrf)
    {
        string Button(string action, string label) =>
            $"<form method=\"post\" action=\"/ui/migrations/{migration.Id}/{action}\">{Csrf(csrf)}<button id=\"{action}\" type=\"submit\">{E(label)}</button></form>";
        return migration.Status switch
        {
            MigrationStatus.Planned when Roles.Includes(caller.Role, Roles.Deployer) => Button("start", "Start the migration"),
            MigrationStatus.AwaitingApproval when Roles.Includes(caller.Role, Roles.Approver) && caller.Name != migration.RequestedBy => Button("approve", "Approve the migration"),
            MigrationStatus.Ready when Roles.Includes(caller.Role, Roles.Deployer) => Button("cutover", "Cut over to the target"),
            _ => "",
        };
    }

    private static string Plan(MigrationPlan plan)
    {
        var cost = plan.Cost;
        string Money(decimal? value) => value is { } amount ? string.Create(CultureInfo.InvariantCulture, $"{amount:0.00} {cost.Currency}") : "unknown";
        var buckets = Table(
            ["Bucket", "On the source", "Objects", "Size", "Copied by"],
            plan.Buckets.Select(b => new[]
            {
                E(b.Name), $"<code>{E(b.SourceName)}</code>", b.Objects.ToString("N0", CultureInfo.InvariantCulture), E(MigrationPlanner.Bytes(b.Bytes)),
                $"{E(Migrations.Transfers.TransferEngines.Title(b.Engine))}{(b.Why is { } why ? $"<br><small>{E(why)}</small>" : "")}",
            }));
        return $"""
            <h2>Cost</h2>
            <table id="cost">
            <tr><th>Monthly on {E(plan.Source.Environment)} ({E(plan.Source.Provider)})</th><td>{E(Money(cost.SourceMonthly))}</td></tr>
            <tr><th>Monthly on {E(plan.Target.Environment)} ({E(plan.Target.Provider)})</th><td>{E(Money(cost.TargetMonthly))}</td></tr>
            <tr><th>The copy's egress, once ({cost.CopyGb.ToString("0.###", CultureInfo.InvariantCulture)} GB)</th><td>{E(Money(cost.CopyEgress))}</td></tr>
            </table>
            <ul>{string.Concat(cost.Notes.Select(n => $"<li><small>{E(n)}</small></li>"))}</ul>
            <h2>Buckets</h2>
            {buckets}
            <p>Provisioning: {E(plan.Provisioning)}. The copy should take about {E(TimeSpan.FromSeconds(Math.Ceiling(plan.EstimatedSeconds)).ToString("g", CultureInfo.InvariantCulture))}.</p>
            <h2>Risks</h2>
            <ul id="risks">{string.Concat(plan.Risks.Select(r => $"<li>{E(r)}</li>"))}</ul>
            """;
    }

    /// <summary>The OpenTofu last applied for a cloud's transfer service, and whether what it made still exists.</summary>
    private static string Transfer(MigrationRow migration)
    {
        if (migration.TransferFiles is not { } json)
        {
            return "";
        }

        var files = JsonSerializer.Deserialize<Dictionary<string, string>>(json)!;
        var state = migration.TransferState is null ? "destroyed"
            : migration.TransferPass is { } pass ? $"applied for pass {pass} and copying"
            : "left by a failed run, and are being destroyed";
        return $"""
            <h2>Transfer service</h2>
            <p id="transfer">The jobs are {E(state)}.</p>
            {string.Concat(files.Select(f => $"<details><summary><code>{E(f.Key)}</code></summary><pre>{E(f.Value)}</pre></details>"))}
            """;
    }

    private static string Describe(MigrationProgress progress) => string.Create(
        CultureInfo.InvariantCulture,
        $"{progress.CopiedObjects:N0} of {progress.Objects:N0} objects, {MigrationPlanner.Bytes(progress.CopiedBytes)} of {MigrationPlanner.Bytes(progress.Bytes)}" +
        $"{(progress.Rate > 0 ? $", {MigrationPlanner.Bytes((long)progress.Rate)}/s" : "")}{(progress.EtaSeconds is { } eta ? $", about {Math.Ceiling(eta):0} s left" : "")}" +
        $"{(progress.FailedObjects > 0 ? $", {progress.FailedObjects} failed" : "")}");
}
