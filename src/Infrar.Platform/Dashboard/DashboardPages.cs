using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Infrar.Platform.Cost;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Manifest;
using Infrar.Platform.Policies;
using Infrar.Platform.Security;
using static Infrar.Platform.Dashboard.Html;

namespace Infrar.Platform.Dashboard;

/// <summary>
/// Server-rendered pages: projects and environments, deployments with their status, plan summary, guardrail
/// violations, live log (Server-Sent Events) and the approve and waive forms, and the cost comparison of what the
/// deployment's code uses. Signing in with an API token starts a session of its own: the cookie never holds the token.
/// </summary>
internal static class DashboardPages
{
    public static void Map(WebApplication app)
    {
        // The dashboard is pages, not API: it stays out of the OpenAPI document.
        var ui = app.MapGroup("").ExcludeFromDescription();
        ui.MapGet("/ui/static/{name}", (string name) => Asset(name));
        MigrationPages.Map(ui);
        WorkPages.Map(ui);

        ui.MapGet("/ui/login", () => Page("Sign in", """
            <form method="post" action="/ui/login">
              <label>API token <input type="password" name="token" autocomplete="off" size="60"></label>
              <button type="submit">Sign in</button>
            </form>
            """, null));

        ui.MapPost("/ui/login", async (HttpContext context, PlatformStore store) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var token = form["token"].ToString();
            if (token.Length is 0 or > 256 || await store.FindTokenAsync(ApiTokens.Hash(token), context.RequestAborted) is not { } row)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Page("Sign in", "<p class=\"failed\">That token is not known.</p><p><a href=\"/ui/login\">Try again</a></p>", null);
            }

            var session = SessionHandler.NewSecret();
            var expires = DateTimeOffset.UtcNow + SessionHandler.Lifetime;
            await store.CreateSessionAsync(
                row.Id, ApiTokens.Hash(session), SessionHandler.NewSecret(), expires.ToUnixTimeMilliseconds(), new AuditRecord(row.Name, "session.create", "/ui/login", "signed in"), context.RequestAborted);
            context.Response.Cookies.Append(Schemes.SessionCookie, session, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
                Expires = expires,
            });
            return Results.Redirect("/");
        });

        ui.MapPost("/ui/logout", async (HttpContext context, PlatformStore store) =>
        {
            await Forms.ReadCheckedAsync(context);
            await store.DeleteSessionAsync(ApiTokens.Hash(context.Request.Cookies[Schemes.SessionCookie]!), context.RequestAborted);
            context.Response.Cookies.Delete(Schemes.SessionCookie, new CookieOptions { Path = "/" });
            return Results.Redirect("/ui/login");
        }).RequireSession();

        ui.MapGet("/", async (HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            var rows = new List<string[]>();
            var projects = await store.ListProjectsAsync(ct);
            foreach (var project in projects)
            {
                foreach (var environment in await store.ListEnvironmentsAsync(project.Id, ct))
                {
                    var last = (await store.ListDeploymentsAsync(environment.Id, ct)).FirstOrDefault();
                    rows.Add(
                    [
                        E(project.Name),
                        $"<a href=\"/ui/environments/{environment.Id}\">{E(environment.Name)}</a>",
                        E(environment.Provider),
                        environment.Protected != 0 ? "protected" : "",
                        last is null ? "" : $"<a href=\"/ui/deployments/{last.Id}\" class=\"status {E(last.Status)}\">#{last.Id} {E(last.Status)}</a>",
                    ]);
                }
            }

            var body = rows.Count == 0
                ? "<p>No environments yet. An admin creates a project and an environment here, through the API or with <code>infrar env create</code>.</p>"
                : Table(["Project", "Environment", "Provider", "", "Last deployment"], rows);
            body += "<p><a id=\"migrations\" href=\"/ui/migrations\">Migrations</a></p>";
            body += await WorkPages.HomeAsync(Caller.Require(context), SessionHandler.CsrfOf(context)!, store, projects, ct);
            return Page("Projects", body, Caller.Require(context), SessionHandler.CsrfOf(context));
        }).RequireSession();

        ui.MapGet("/ui/environments/{id:long}", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            var environment = await store.RequireEnvironmentAsync(id, ct);
            var rows = (await store.ListDeploymentsAsync(id, ct)).Select(d => new[]
            {
                $"<a href=\"/ui/deployments/{d.Id}\">#{d.Id}</a>",
                E(d.Kind),
                $"<span class=\"status {E(d.Status)}\">{E(d.Status)}</span>",
                E(d.RequestedBy),
                E(DateTimeOffset.FromUnixTimeMilliseconds(d.CreatedAt).ToString("u", CultureInfo.InvariantCulture)),
            });
            var image = ImageSettings.Read(environment.Image) is { } settings
                ? $"<p id=\"image-settings\">Images: pushed to <code>{E(settings.Registry ?? "no registry: kept as an archive")}</code>{(settings.BaseImage is { } baseImage ? $", on <code>{E(baseImage)}</code>" : "")}; health asked at <code>{E(settings.Path)}</code>.</p>"
                : "";
            var credentials = JsonSerializer.Deserialize<List<string>>(environment.CredentialNames)!;
            var about = $"<p>{(environment.Protected != 0 ? "Protected. " : "")}Credentials: {(credentials.Count == 0 ? "none" : string.Join(", ", credentials.Select(c => $"<code>{E(c)}</code>")))} (values never shown).</p>";
            var build = WorkPages.BuildForm(environment, await store.GetProjectSourceAsync(environment.ProjectId, ct), Caller.Require(context), SessionHandler.CsrfOf(context)!);
            return Page($"Environment {environment.Name} ({environment.Provider})", about + image + build + Table(["Deployment", "Kind", "Status", "Requested by", "Created"], rows),
                Caller.Require(context), SessionHandler.CsrfOf(context));
        }).RequireSession();

        ui.MapGet("/ui/deployments/{id:long}", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            var caller = Caller.Require(context);
            var csrf = SessionHandler.CsrfOf(context)!;
            var deployment = await store.RequireDeploymentAsync(id, ct);
            var lines = await store.ReadLogAsync(id, 0, ct);
            var plan = deployment.PlanAdds is { } adds
                ? $"<p id=\"plan\">Plan: <b>{adds}</b> to add, <b>{deployment.PlanChanges}</b> to change, <b>{deployment.PlanDestroys}</b> to destroy.</p>"
                : "<p id=\"plan\">No plan yet.</p>";
            var approve = deployment.Status == DeploymentStatus.AwaitingApproval && Roles.Includes(caller.Role, Roles.Approver)
                ? $"<form method=\"post\" action=\"/ui/deployments/{id}/approve\">{Csrf(csrf)}<button id=\"approve\" type=\"submit\">Approve and {(deployment.Kind == DeploymentStatus.Destroy ? "destroy" : "apply")}</button></form>"
                : "";
            var violations = deployment.Violations is { } json
                ? "<h2>Guardrail violations</h2><ul id=\"violations\">" +
                  string.Concat(JsonSerializer.Deserialize<List<GuardrailViolation>>(json, GuardrailPolicy.Json)!.Select(v =>
                      $"<li><code>{E(v.Resource)}</code>: {E(v.Message)} <small>(rule {E(v.Rule)}, {E(v.Source)})</small></li>")) +
                  "</ul>"
                : "";
            var waive = deployment.Status == DeploymentStatus.PolicyDenied && Roles.Includes(caller.Role, Roles.Admin)
                ? $"""
                  <form method="post" action="/ui/deployments/{id}/waive">{Csrf(csrf)}
                    <label>Reason <input name="reason" size="60" maxlength="500" required></label>
                    <button id="waive" type="submit">Waive the guardrails</button>
                  </form>
                  """
                : "";
            var waived = deployment.WaivedBy is { } by ? $"<p id=\"waiver\">Waived by {E(by)}: {E(deployment.WaiverReason)}</p>" : "";
            var environmentRow = (await store.GetEnvironmentAsync(deployment.EnvironmentId, ct))!;
            var report = deployment.Manifest is { } manifestJson && ManifestDocument.TryParse(manifestJson) is { } manifest
                ? CostEngine.Estimate(manifest, UsageProfile.Load(null, manifest), PriceBook.Default)
                : null;
            var cost = report is null ? "" : "<h2>Monthly cost of what this code uses</h2>" + CostChart.Render(report);
            var grants = WorkPages.Grants(deployment.Manifest, environmentRow.Provider, report);
            var planResources = WorkPages.PlanResources(await store.GetPlanAsync(id, ct));
            var failure = deployment.Failure is { } reason ? $"<p class=\"failed\">{E(reason)}</p>" : "";
            var outputs = deployment.Outputs is { } outputsJson && JsonSerializer.Deserialize<Api.DeploymentOutputs>(outputsJson, Api.DeploymentOutputs.Json) is { } recorded
                ? "<h2>Outputs</h2><table id=\"outputs\">"
                    + string.Concat(recorded.Values.Select(o => $"<tr><th>{E(o.Key)}</th><td><code>{E(o.Value.ValueKind == JsonValueKind.String ? o.Value.GetString() : o.Value.GetRawText())}</code></td></tr>"))
                    + string.Concat(recorded.Sensitive.Select(name => $"<tr><th>{E(name)}</th><td>sensitive, not stored</td></tr>"))
                    + "</table>"
                : "";
            var built = deployment.SourceRepository is { } repository
                ? $"<p id=\"source\">Built from <code>{E(repository)}</code> at {E(deployment.SourceRef)}{(deployment.SourceCommit is { } commit ? $" (<code>{E(commit)}</code>)" : "")}.</p>"
                : "";
            var image = deployment.Image is { } reference ? $"<p id=\"image\">Image: <code>{E(reference)}</code></p>" : "";
            var health = HealthResult.Read(deployment.Health) is { } checkedHealth
                ? $"<p id=\"health\" class=\"{(checkedHealth.Healthy ? "succeeded" : "failed")}\">Health: {(checkedHealth.Healthy ? "healthy" : "unhealthy")} at <code>{E(checkedHealth.Url)}</code>: {E(checkedHealth.Detail)} ({checkedHealth.Checks} checks, {checkedHealth.Seconds} s)</p>"
                : "";
            var body = $"""
                <p>{E(deployment.Kind)} requested by {E(deployment.RequestedBy)}{(deployment.ApprovedBy is { } approvedBy ? ", approved by " + E(approvedBy) : "")}.
                Status: <span id="status" class="status {E(deployment.Status)}">{E(deployment.Status)}</span></p>
                {failure}
                {built}
                {image}
                {health}
                {plan}
                {planResources}
                {violations}
                {waived}
                {waive}
                {approve}
                {outputs}
                <h2>Log</h2>
                <pre id="log">{string.Concat(lines.Select(l => E(l.Line) + "\n"))}</pre>
                {grants}
                {cost}
                """;
            var data = $" data-deployment=\"{id}\" data-status=\"{E(deployment.Status)}\" data-seen=\"{lines.LastOrDefault()?.Id ?? 0}\"";
            return Page($"Deployment #{id}", body, caller, csrf, data);
        }).RequireSession();

        ui.MapGet("/ui/deployments/{id:long}/events", DeploymentEvents.StreamAsync).RequireSession();

        ui.MapPost("/ui/deployments/{id:long}/approve", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            await Forms.ReadCheckedAsync(context);
            await store.ApproveAsync(id, Caller.Require(context).Name, ct, RequestAudit.For(context, StatusCodes.Status302Found));
            return Results.Redirect($"/ui/deployments/{id}");
        }).RequireSession(Roles.Approver);

        ui.MapPost("/ui/deployments/{id:long}/waive", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            var form = await Forms.ReadCheckedAsync(context);
            var reason = form["reason"].ToString().Trim();
            if (reason.Length is 0 or > 500)
            {
                throw new InputException("A waiver says why, in 1 to 500 characters.");
            }

            await store.WaiveAsync(id, Caller.Require(context).Name, reason, ct, RequestAudit.For(context, StatusCodes.Status302Found));
            return Results.Redirect($"/ui/deployments/{id}");
        }).RequireSession(Roles.Admin);
    }

    private static IResult Asset(string name)
    {
        var type = Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            _ => null,
        };
        var stream = type is null ? null : Assembly.GetExecutingAssembly().GetManifestResourceStream("dashboard/" + name);
        return stream is null ? Results.NotFound() : Results.Stream(stream, type);
    }
}
