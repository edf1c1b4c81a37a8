using System.Globalization;
using System.Text;
using System.Text.Json;
using Infrar.Build.Infrastructure;
using Infrar.Generators.Catalog;
using Infrar.Platform.Api;
using Infrar.Platform.Cost;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Routing;
using static Infrar.Platform.Dashboard.Html;

namespace Infrar.Platform.Dashboard;

/// <summary>
/// The dashboard as a place to work, not only to read: admins make projects and environments (credentials are
/// written, never shown again) and read the audit log; deployers start a deployment from a ref of the project's
/// source; everyone sees what waits for them, a plan as the resources it touches, and the grants each call site
/// needs with what its calls cost on each provider. Every form carries the session's form token; every change is
/// checked as the API checks it and audited as the API audits it.
/// </summary>
internal static class WorkPages
{
    private const int CredentialRows = 4;

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapPost("/ui/projects", async (HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            var form = await Forms.ReadCheckedAsync(context);
            var request = new CreateProjectRequest(form["name"].ToString().Trim());
            if (RequestValidation.Project(request) is { Count: > 0 } errors)
            {
                return Refused("New project", errors, "<p><a href=\"/\">Back</a></p>", context);
            }

            await store.CreateProjectAsync(request.Name!, RequestAudit.For(context, StatusCodes.Status302Found), ct);
            return Results.Redirect("/");
        }).RequireSession(Roles.Admin);

        ui.MapGet("/ui/projects/{id:long}/environments/new", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            var project = await store.RequireProjectAsync(id, ct);
            return Page($"New environment of {project.Name}", EnvironmentForm(id, SessionHandler.CsrfOf(context)!, null), Caller.Require(context), SessionHandler.CsrfOf(context));
        }).RequireSession(Roles.Admin);

        ui.MapPost("/ui/projects/{id:long}/environments", async (long id, HttpContext context, PlatformStore store, CredentialProtector protector, PlatformOptions options, CancellationToken ct) =>
        {
            var project = await store.RequireProjectAsync(id, ct);
            var form = await Forms.ReadCheckedAsync(context);
            var (request, formErrors) = ReadEnvironment(form);
            var errors = RequestValidation.Environment(request, options);
            foreach (var (field, messages) in formErrors)
            {
                errors[field] = messages;
            }

            if (errors.Count > 0)
            {
                // The form comes back with what was typed, except the credentials' values, which are never sent back.
                return Refused($"New environment of {project.Name}", errors, EnvironmentForm(id, SessionHandler.CsrfOf(context)!, form), context);
            }

            var row = await store.CreateEnvironmentAsync(ProjectsApi.NewEnvironment(id, request, protector), RequestAudit.For(context, StatusCodes.Status302Found), ct);
            return Results.Redirect($"/ui/environments/{row.Id}");
        }).RequireSession(Roles.Admin);

        ui.MapPost("/ui/environments/{id:long}/builds", async (long id, HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            var form = await Forms.ReadCheckedAsync(context);
            var environment = await store.RequireEnvironmentAsync(id, ct);
            var reference = form["ref"].ToString().Trim();
            if (SourceBuild.RefProblem(reference) is { } problem)
            {
                return Refused($"Deploy {environment.Name} from source", new() { ["ref"] = [problem] }, $"<p><a href=\"/ui/environments/{id}\">Back</a></p>", context);
            }

            var source = await store.GetProjectSourceAsync(environment.ProjectId, ct)
                ?? throw new ConflictException($"The project of environment {environment.Name} has no source to build from; an admin sets one with infrar source set.");
            var deployment = await store.CreateDeploymentAsync(
                id, DeploymentStatus.Deploy, "{}", null, Caller.Require(context).Name, ct,
                new DeploymentSource(source.Repository, reference, SourcesApi.CommitShape(reference) ? reference : null), RequestAudit.For(context, StatusCodes.Status302Found));
            return Results.Redirect($"/ui/deployments/{deployment.Id}");
        }).RequireSession(Roles.Deployer);

        ui.MapGet("/ui/audit", async (HttpContext context, PlatformStore store, CancellationToken ct) =>
        {
            var rows = (await store.ListAuditAsync(200, ct)).Select(row => new[]
            {
                E(DateTimeOffset.FromUnixTimeMilliseconds(row.At).ToString("u", CultureInfo.InvariantCulture)),
                E(row.Actor),
                $"<code>{E(row.Action)}</code>",
                $"<code>{E(row.Target)}</code>",
                E(row.Outcome),
                row.Requests > 1 ? E(row.Requests) : "",
            });
            return Page("Audit log", "<p>The last 200 changes and refusals, newest first.</p>" + Table(["When", "Who", "Action", "Target", "Outcome", "Requests"], rows).Replace("<table>", "<table id=\"audit\">", StringComparison.Ordinal),
                Caller.Require(context), SessionHandler.CsrfOf(context));
        }).RequireSession(Roles.Admin);
    }

    /// <summary>The home page's part for the caller: what waits for them, and the admin's forms and links.</summary>
    public static async Task<string> HomeAsync(Caller caller, string csrf, PlatformStore store, IReadOnlyList<ProjectRow> projects, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var waiting = (await store.ListWaitingAsync(cancellationToken))
            .Where(d => d.Status == DeploymentStatus.AwaitingApproval
                ? Roles.Includes(caller.Role, Roles.Approver) && d.RequestedBy != caller.Name
                : Roles.Includes(caller.Role, Roles.Admin))
            .ToList();
        text.Append("<h2>Waiting for you</h2>");
        if (waiting.Count == 0)
        {
            text.Append("<p id=\"waiting\">Nothing waits for you.</p>");
        }
        else
        {
            text.Append("<ul id=\"waiting\">");
            foreach (var deployment in waiting)
            {
                var environment = await store.GetEnvironmentAsync(deployment.EnvironmentId, cancellationToken);
                var what = deployment.Status == DeploymentStatus.AwaitingApproval ? "your approval" : "a waiver of its guardrails";
                text.Append(CultureInfo.InvariantCulture,
                    $"<li><a href=\"/ui/deployments/{deployment.Id}\">#{deployment.Id}</a> {E(deployment.Kind)} of {E(environment?.Name)}, requested by {E(deployment.RequestedBy)}, waits for {what}</li>");
            }

            text.Append("</ul>");
        }

        if (Roles.Includes(caller.Role, Roles.Admin))
        {
            text.Append($"""
                <h2>New project</h2>
                <form id="new-project" method="post" action="/ui/projects">{Csrf(csrf)}
                  <label>Name <input name="name" required maxlength="63" pattern="[a-z0-9][a-z0-9-]*"></label>
                  <button type="submit">Create the project</button>
                </form>
                """);
            if (projects.Count > 0)
            {
                text.Append("<p>New environment of: ")
                    .AppendJoin(", ", projects.Select(p => $"<a class=\"new-environment\" href=\"/ui/projects/{p.Id}/environments/new\">{E(p.Name)}</a>"))
                    .Append("</p>");
            }

            text.Append("<p><a id=\"audit-log\" href=\"/ui/audit\">Audit log</a></p>");
        }

        return text.ToString();
    }

    /// <summary>The environment page's form that deploys a ref of the project's source, for deployers, when there is a source.</summary>
    public static string BuildForm(EnvironmentRow environment, ProjectSourceRow? source, Caller caller, string csrf) =>
        source is null || !Roles.Includes(caller.Role, Roles.Deployer)
            ? ""
            : $"""
              <h2>Deploy from source</h2>
              <form id="build" method="post" action="/ui/environments/{environment.Id}/builds">{Csrf(csrf)}
                <label>Branch, tag or commit of <code>{E(source.Repository)}</code> <input name="ref" required maxlength="200" value="main"></label>
                <button type="submit">Build and deploy</button>
              </form>
              """;

    /// <summary>The plan as the resources it touches, each with its actions, from <c>tofu show -json</c>.</summary>
    public static string PlanResources(string? planJson)
    {
        if (planJson is null)
        {
            return "";
        }

        using var plan = JsonDocument.Parse(planJson);
        if (!plan.RootElement.TryGetProperty("resource_changes", out var changes) || changes.GetArrayLength() == 0)
        {
            return "<p id=\"plan-resources\">The plan changes no resource.</p>";
        }

        var text = new StringBuilder("<ul id=\"plan-resources\">");
        foreach (var change in changes.EnumerateArray())
        {
            var actions = change.GetProperty("change").GetProperty("actions").EnumerateArray().Select(a => a.GetString()).ToList();
            var action = actions switch
            {
                ["delete", "create"] or ["create", "delete"] => "replace",
                [var one] => one,
                _ => string.Join(", ", actions),
            };
            text.Append(CultureInfo.InvariantCulture, $"<li class=\"{E(action)}\"><code>{E(change.GetProperty("address").GetString())}</code> {E(action)}</li>");
        }

        return text.Append("</ul>").ToString();
    }

    /// <summary>
    /// What each resource's operations need and cost: the call sites in the code, the permissions the deployment's
    /// provider grants for them (every cloud's, for a local deployment, which grants none), and a million calls' price
    /// on each provider.
    /// </summary>
    public static string Grants(string? manifestJson, string provider, CostReport? cost)
    {
        if (manifestJson is null)
        {
            return "";
        }

        using var manifest = JsonDocument.Parse(manifestJson);
        if (!manifest.RootElement.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        var providers = cost?.Providers.Select(p => p.Provider).ToList() ?? [];
        var rows = new List<string[]>();
        foreach (var resource in resources.EnumerateArray())
        {
            var kind = resource.GetProperty("kind").GetString();
            var name = resource.GetProperty("name").GetString();
            foreach (var operation in resource.GetProperty("operations").EnumerateArray())
            {
                var id = operation.GetProperty("id").GetString()!;
                var granted = operation.TryGetProperty("permissions", out var list) ? list.EnumerateArray().Select(p => p.GetString()!).ToList() : [];
                var permissions = granted.Count > 0
                    ? string.Join("<br>", granted.Select(Permission))
                    : provider == EmbeddedCatalog.Value.DefaultProvider
                        ? string.Join("<br>", EmbeddedCatalog.Value.Clouds.Select(cloud => $"{E(cloud.Id)}: {string.Join(", ", CloudPermissions(cloud, kind, id).Select(Permission))}"))
                        : "none";
                var sites = operation.GetProperty("callSites").EnumerateArray().Select(s => $"<code>{E(s.GetString())}</code>");
                var prices = cost?.CallSites.FirstOrDefault(c => c.Bucket == name && c.Operation == id)?.PerMillionCalls;
                rows.Add(
                [
                    $"{E(kind)} <code>{E(name)}</code>",
                    $"<code>{E(id)}</code> ({E(operation.GetProperty("access").GetString())})",
                    string.Join("<br>", sites),
                    permissions,
                    .. providers.Select(p => prices?.GetValueOrDefault(p) is { } price ? E(price.ToString("0.####", CultureInfo.InvariantCulture)) : "–"),
                ]);
            }
        }

        var heading = provider == EmbeddedCatalog.Value.DefaultProvider ? "Granted on each cloud" : $"Granted on {provider}";
        return "<h2>What the code needs, call site by call site</h2>" +
            Table(["Resource", "Operation", "Call sites", heading, .. providers.Select(p => $"{p}: per million calls (USD)")], rows).Replace("<table>", "<table id=\"grants\">", StringComparison.Ordinal);
    }

    /// <summary>A permission as the catalog scopes it : on the objects, or on what else it names.</summary>
    private static string Permission(string permission)
    {
        var (scope, action) = PermissionScopes.Parse(permission);
        var on = scope switch
        {
            GrantScope.Bucket => " (on the bucket)",
            GrantScope.Account => " (on the account)",
            GrantScope.Self => " (on the app's own identity)",
            GrantScope.Queue => " (on the queue)",
            GrantScope.DeadLetters => " (on the dead-letter queue)",
            _ => "",
        };
        return $"<code>{E(action)}</code>{on}";
    }

    private static IEnumerable<string> CloudPermissions(ProviderCatalog cloud, string? kind, string operation) =>
        (kind == "queue" ? cloud.Queues : cloud.Storage)?.Operations.GetValueOrDefault(operation)?.Permissions ?? Enumerable.Empty<string>();

    private static IResult Refused(string title, Dictionary<string, string[]> errors, string after, HttpContext context)
    {
        var list = "<ul class=\"failed\" id=\"errors\">" + string.Concat(errors.SelectMany(e => e.Value.Select(m => $"<li><code>{E(e.Key)}</code>: {E(m)}</li>"))) + "</ul>";
        var page = Page(title, list + after, Caller.Require(context), SessionHandler.CsrfOf(context));
        return new StatusResult(StatusCodes.Status400BadRequest, page);
    }

    /// <summary>The environment form; refilled from what was sent, but never with a credential's value.</summary>
    private static string EnvironmentForm(long projectId, string csrf, IFormCollection? sent)
    {
        string V(string field) => E(sent?[field].ToString() ?? "");
        var catalog = EmbeddedCatalog.Value;
        string Selected(string provider) => (sent?["provider"].ToString() ?? catalog.DefaultProvider) == provider ? " selected" : "";
        var providers = new[] { catalog.DefaultProvider }.Concat(catalog.Clouds.Select(c => c.Id));
        var credentials = new StringBuilder();
        for (var i = 0; i < CredentialRows; i++)
        {
            credentials.Append(CultureInfo.InvariantCulture,
                $"<label>Name <input name=\"credential_name_{i}\" value=\"{V($"credential_name_{i}")}\" maxlength=\"100\"></label> <label>Value <input type=\"password\" name=\"credential_value_{i}\" autocomplete=\"off\"></label><br>");
        }

        return $"""
            <form id="new-environment" method="post" action="/ui/projects/{projectId}/environments">{Csrf(csrf)}
              <p><label>Name <input name="name" required maxlength="63" value="{V("name")}"></label>
              <label>Provider <select name="provider">{string.Concat(providers.Select(p => $"<option{Selected(p)}>{E(p)}</option>"))}</select></label>
              <label>Region <input name="region" value="{V("region")}"></label>
              <label><input type="checkbox" name="protected" value="true"{(sent?["protected"].ToString() == "true" ? " checked" : "")}> Protected (another user approves every plan)</label></p>
              <p><label>OpenTofu variables, one <code>name=value</code> a line<br><textarea name="variables" rows="3" cols="60">{V("variables")}</textarea></label></p>
              <p><label>State settings, one <code>name=value</code> a line (<code>bucket=…</code> for aws and gcp)<br><textarea name="state" rows="3" cols="60">{V("state")}</textarea></label></p>
              <fieldset><legend>Credentials (stored sealed; their values are never shown again)</legend>{credentials}</fieldset>
              <fieldset><legend>Image (builds from source publish and push one)</legend>
                <label><input type="checkbox" name="image" value="true"{(sent?["image"].ToString() == "true" ? " checked" : "")}> Build an image</label>
                <label>Registry <input name="image_registry" value="{V("image_registry")}"></label>
                <label>Repository <input name="image_repository" value="{V("image_repository")}"></label>
                <label>Base image <input name="base_image" value="{V("base_image")}"></label>
                <label>Health path <input name="health_path" value="{V("health_path")}"></label>
              </fieldset>
              <button type="submit">Create the environment</button>
            </form>
            """;
    }

    /// <summary>The API's request from the form, and what in the form itself is malformed.</summary>
    private static (CreateEnvironmentRequest Request, Dictionary<string, string[]> Errors) ReadEnvironment(IFormCollection form)
    {
        var errors = new Dictionary<string, string[]>();
        Dictionary<string, string> Pairs(string field)
        {
            var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in form[field].ToString().Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = line.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    errors[field] = [$"'{line}' is not name=value."];
                    continue;
                }

                pairs[line[..equals].Trim()] = line[(equals + 1)..].Trim();
            }

            return pairs;
        }

        var credentials = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < CredentialRows; i++)
        {
            var name = form[$"credential_name_{i}"].ToString().Trim();
            var value = form[$"credential_value_{i}"].ToString();
            if (name.Length > 0)
            {
                credentials[name] = value;
            }
            else if (value.Length > 0)
            {
                errors[$"credentials.{i + 1}"] = ["A credential's value was given without its name; give both."];
            }
        }

        string? Text(string field) => form[field].ToString().Trim() is { Length: > 0 } value ? value : null;
        var image = form["image"].ToString() == "true" || new[] { "image_registry", "image_repository", "base_image", "health_path" }.Any(f => Text(f) is not null)
            ? new ImageSettings(Text("image_registry"), Text("image_repository"), Text("base_image"), Text("health_path"))
            : null;
        var request = new CreateEnvironmentRequest(
            Text("name"), Text("provider"), Text("region"), form["protected"].ToString() == "true", Pairs("variables"), Pairs("state"), credentials, image);
        return (request, errors);
    }

    /// <summary>A page answered with a status of its own (a refused form is a 400, with the form to mend it).</summary>
    private sealed class StatusResult(int status, IResult page) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            return page.ExecuteAsync(httpContext);
        }
    }
}
