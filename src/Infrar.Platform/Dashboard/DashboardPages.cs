using System.Globalization;
using Infrar.Platform.Cost;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Manifest;
using Infrar.Platform.Security;
using static Infrar.Platform.Dashboard.Html;

namespace Infrar.Platform.Dashboard;

/// <summary>
/// Server-rendered pages: projects and environments, deployments with their status, plan summary, live log (Server-Sent
/// Events from the API) and approval, and the cost comparison of what the deployment's code uses. Sign-in keeps the
/// API token in an HTTP-only, same-site cookie.
/// </summary>
internal static class DashboardPages
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/ui/login", () => Page("Sign in", """
            <form method="post" action="/ui/login">
              <label>API token <input type="password" name="token" autocomplete="off" size="60"></label>
              <button type="submit">Sign in</button>
            </form>
            """, null));

        app.MapPost("/ui/login", async (HttpContext context, PlatformStore store) =>
        {
            var form = await context.Request.ReadFormAsync();
            var token = form["token"].ToString();
            if (string.IsNullOrEmpty(token) || await store.FindTokenAsync(ApiTokens.Hash(token), context.RequestAborted) is null)
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Page("Sign in", "<p class=\"failed\">That token is not known.</p><p><a href=\"/ui/login\">Try again</a></p>", null);
            }

            context.Response.Cookies.Append(Caller.Cookie, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, Path = "/" });
            return Results.Redirect("/");
        });

        app.MapGet("/", async (HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            if (Caller.Of(context) is not { } caller)
            {
                return Results.Redirect("/ui/login");
            }

            var rows = new List<string[]>();
            foreach (var project in await store.ListProjectsAsync(ct))
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
                ? "<p>No environments yet. Create a project and an environment through the API or <code>infrar env create</code>.</p>"
                : Table(["Project", "Environment", "Provider", "", "Last deployment"], rows);
            return Page("Projects", body, $"{caller.Name} ({caller.Role})");
        });

        app.MapGet("/ui/environments/{id:long}", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            if (Caller.Of(context) is not { } caller)
            {
                return Results.Redirect("/ui/login");
            }

            var environment = await store.RequireEnvironmentAsync(id, ct);
            var rows = (await store.ListDeploymentsAsync(id, ct)).Select(d => new[]
            {
                $"<a href=\"/ui/deployments/{d.Id}\">#{d.Id}</a>",
                E(d.Kind),
                $"<span class=\"status {E(d.Status)}\">{E(d.Status)}</span>",
                E(d.RequestedBy),
                E(DateTimeOffset.FromUnixTimeMilliseconds(d.CreatedAt).ToString("u", CultureInfo.InvariantCulture)),
            });
            return Page($"Environment {environment.Name} ({environment.Provider})", Table(["Deployment", "Kind", "Status", "Requested by", "Created"], rows), $"{caller.Name} ({caller.Role})");
        });

        app.MapGet("/ui/deployments/{id:long}", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            if (Caller.Of(context) is not { } caller)
            {
                return Results.Redirect("/ui/login");
            }

            var deployment = await store.RequireDeploymentAsync(id, ct);
            var log = string.Concat((await store.ReadLogAsync(id, 0, ct)).Select(l => E(l.Line) + "\n"));
            var plan = deployment.PlanAdds is { } adds
                ? $"<p id=\"plan\">Plan: <b>{adds}</b> to add, <b>{deployment.PlanChanges}</b> to change, <b>{deployment.PlanDestroys}</b> to destroy.</p>"
                : "<p id=\"plan\">No plan yet.</p>";
            var approve = deployment.Status == DeploymentStatus.AwaitingApproval && Roles.Includes(caller.Role, Roles.Approver)
                ? $"<form method=\"post\" action=\"/ui/deployments/{id}/approve\"><button id=\"approve\" type=\"submit\">Approve and apply</button></form>"
                : "";
            var cost = deployment.Manifest is { } json && ManifestDocument.TryParse(json) is { } manifest
                ? "<h2>Monthly cost of what this code uses</h2>" + CostChart.Render(CostEngine.Estimate(manifest, UsageProfile.Load(null, manifest), PriceBook.Default))
                : "";
            var failure = deployment.Failure is { } reason ? $"<p class=\"failed\">{E(reason)}</p>" : "";
            var body = $$"""
                <p>{{E(deployment.Kind)}} requested by {{E(deployment.RequestedBy)}}{{(deployment.ApprovedBy is { } by ? ", approved by " + E(by) : "")}}.
                Status: <span id="status" class="status {{E(deployment.Status)}}">{{E(deployment.Status)}}</span></p>
                {{failure}}
                {{plan}}
                {{approve}}
                <h2>Log</h2>
                <pre id="log">{{log}}</pre>
                {{cost}}
                <script>
                  const log = document.getElementById('log');
                  const status = document.getElementById('status');
                  let seen = {{(await store.ReadLogAsync(id, 0, ct)).LastOrDefault()?.Id ?? 0}};
                  const events = new EventSource('/api/deployments/{{id}}/events');
                  events.addEventListener('log', e => {
                    if (Number(e.lastEventId) <= seen) return;
                    seen = Number(e.lastEventId);
                    log.textContent += e.data + '\n';
                    log.scrollTop = log.scrollHeight;
                  });
                  events.addEventListener('status', e => { status.textContent = e.data; status.className = 'status ' + e.data; });
                  // Reload once the state has moved on from the one rendered, to show the plan and the approval form.
                  events.addEventListener('end', e => { events.close(); if (e.data !== '{{E(deployment.Status)}}') setTimeout(() => location.reload(), 300); });
                </script>
                """;
            return Page($"Deployment #{id}", body, $"{caller.Name} ({caller.Role})");
        });

        app.MapPost("/ui/deployments/{id:long}/approve", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            if (Caller.Of(context) is not { } caller)
            {
                return Results.Redirect("/ui/login");
            }

            if (!Roles.Includes(caller.Role, Roles.Approver))
            {
                throw new ForbiddenException($"Approving needs the approver role; {caller.Name} is {caller.Role}.");
            }

            await store.ApproveAsync(id, caller.Name, ct);
            return Results.Redirect($"/ui/deployments/{id}");
        });
    }
}
