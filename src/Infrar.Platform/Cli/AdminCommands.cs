using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Infrar.Platform.Cli;

/// <summary>
/// <c>infrar token create|list|revoke</c>, <c>infrar cancel</c>, <c>infrar list projects|environments|deployments</c>
/// and <c>infrar source set|show</c>:
/// what a team does day to day besides deploying. Lists take <c>--format json</c> (the API's JSON, for scripts).
/// </summary>
internal static class AdminCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return TokenCommand();
        yield return CancelCommand();
        yield return ListCommand();
        yield return SourceCommand();
    }

    /// <summary>The <c>--format</c> option: <c>table</c> for people, <c>json</c> for scripts.</summary>
    internal static Option<string> FormatOption() => new("--format")
    {
        Description = "table (default) or json (the service's JSON, for scripts)",
        DefaultValueFactory = _ => "table",
        Validators = { result => { if (result.GetValueOrDefault<string>() is not ("table" or "json")) { result.AddError("--format is table or json."); } } },
    };

    private static Command TokenCommand()
    {
        var createService = new ServiceOptions();
        var name = new Option<string>("--name") { Description = "Who or what the token is for: a person, a CI job", Required = true };
        var role = new Option<string>("--role") { Description = "viewer, deployer, approver or admin", Required = true };
        var createFormat = FormatOption();
        var create = new Command("create", "Make an API token; it is shown once, here, and only its hash is kept.") { name, role, createFormat };
        createService.AddTo(create);
        create.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, createService, async client =>
        {
            var made = await client.SendAsync(HttpMethod.Post, "/api/tokens", new { name = parse.GetValue(name), role = parse.GetValue(role) }, ct);
            if (parse.GetValue(createFormat) == "json")
            {
                Console.WriteLine(made.GetRawText());
            }
            else
            {
                Console.WriteLine($"Token '{made.GetProperty("name").GetString()}' ({made.GetProperty("role").GetString()}); it is not shown again:");
                Console.WriteLine(made.GetProperty("token").GetString());
            }

            return ExitCodes.Success;
        }));

        var listService = new ServiceOptions();
        var listFormat = FormatOption();
        var list = new Command("list", "List the API tokens by name and role (never the tokens themselves).") { listFormat };
        listService.AddTo(list);
        list.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, listService, async client =>
        {
            var tokens = await client.SendAsync(HttpMethod.Get, "/api/tokens", cancellationToken: ct);
            Print(tokens, parse.GetValue(listFormat)!, ["Name", "Role", "Created"], t => [t.GetProperty("name").GetString()!, t.GetProperty("role").GetString()!, Date(t.GetProperty("createdAt"))]);
            return ExitCodes.Success;
        }));

        var revokeService = new ServiceOptions();
        var revoked = new Argument<string>("name") { Description = "The token's name" };
        var revoke = new Command("revoke", "Revoke an API token: it and its dashboard sessions stop working at once.") { revoked };
        revokeService.AddTo(revoke);
        revoke.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, revokeService, async client =>
        {
            await client.SendAsync(HttpMethod.Delete, $"/api/tokens/{Uri.EscapeDataString(parse.GetValue(revoked)!)}", cancellationToken: ct);
            Console.WriteLine($"Token '{parse.GetValue(revoked)}' revoked.");
            return ExitCodes.Success;
        }));

        return new Command("token", "Manage API tokens (admin).") { create, list, revoke };
    }

    private static Command CancelCommand()
    {
        var service = new ServiceOptions();
        var id = new Argument<long>("deployment") { Description = "The deployment's id" };
        var command = new Command("cancel", "Cancel a deployment that has not changed anything yet: queued, or waiting for an approval or a waiver.") { id };
        service.AddTo(command);
        command.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, service, async client =>
        {
            var cancelled = await client.SendAsync(HttpMethod.Post, $"/api/deployments/{parse.GetValue(id)}/cancel", cancellationToken: ct);
            Console.WriteLine($"Deployment #{cancelled.GetProperty("id").GetInt64()}: {cancelled.GetProperty("status").GetString()}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command ListCommand()
    {
        var projectsService = new ServiceOptions();
        var projectsFormat = FormatOption();
        var projects = new Command("projects", "List the projects.") { projectsFormat };
        projectsService.AddTo(projects);
        projects.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, projectsService, async client =>
        {
            var all = await client.SendAsync(HttpMethod.Get, "/api/projects", cancellationToken: ct);
            Print(all, parse.GetValue(projectsFormat)!, ["Id", "Name", "Created"], p => [Id(p), p.GetProperty("name").GetString()!, Date(p.GetProperty("createdAt"))]);
            return ExitCodes.Success;
        }));

        var environmentsService = new ServiceOptions();
        var project = new Option<string>("--project") { Description = "The project", Required = true };
        var environmentsFormat = FormatOption();
        var environments = new Command("environments", "List a project's environments.") { project, environmentsFormat };
        environmentsService.AddTo(environments);
        environments.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, environmentsService, async client =>
        {
            var projectId = await ProjectIdAsync(client, parse.GetValue(project)!, ct);
            var all = await client.SendAsync(HttpMethod.Get, $"/api/projects/{projectId}/environments", cancellationToken: ct);
            Print(all, parse.GetValue(environmentsFormat)!, ["Id", "Name", "Provider", "Region", "Protected"], e =>
            [
                Id(e), e.GetProperty("name").GetString()!, e.GetProperty("provider").GetString()!,
                e.TryGetProperty("region", out var region) && region.ValueKind == JsonValueKind.String ? region.GetString()! : "",
                e.GetProperty("protected").GetBoolean() ? "yes" : "no",
            ]);
            return ExitCodes.Success;
        }));

        var deploymentsService = new ServiceOptions();
        var deploymentsProject = new Option<string>("--project") { Description = "The project", Required = true };
        var environment = new Option<string>("--env") { Description = "The environment", Required = true };
        var deploymentsFormat = FormatOption();
        var deployments = new Command("deployments", "List an environment's deployments, newest first.") { deploymentsProject, environment, deploymentsFormat };
        deploymentsService.AddTo(deployments);
        deployments.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, deploymentsService, async client =>
        {
            var at = (await client.SendAsync(
                HttpMethod.Get,
                $"/api/environments?project={Uri.EscapeDataString(parse.GetValue(deploymentsProject)!)}&name={Uri.EscapeDataString(parse.GetValue(environment)!)}",
                cancellationToken: ct)).GetProperty("id").GetInt64();
            var all = await client.SendAsync(HttpMethod.Get, $"/api/environments/{at}/deployments", cancellationToken: ct);
            Print(all, parse.GetValue(deploymentsFormat)!, ["Id", "Kind", "Status", "Requested by", "Commit", "Created"], d =>
            [
                Id(d), d.GetProperty("kind").GetString()!, d.GetProperty("status").GetString()!, d.GetProperty("requestedBy").GetString()!,
                d.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.Object && source.GetProperty("commit").GetString() is { } commit ? commit[..Math.Min(12, commit.Length)] : "",
                Date(d.GetProperty("createdAt")),
            ]);
            return ExitCodes.Success;
        }));

        return new Command("list", "List projects, environments or deployments.") { projects, environments, deployments };
    }

    private static Command SourceCommand()
    {
        var setService = new ServiceOptions();
        var project = new Option<string>("--project") { Description = "The project", Required = true };
        var repository = new Option<string>("--repository") { Description = "The app's git repository: an https:// or ssh:// URL", Required = true };
        var path = new Option<string>("--path") { Description = "The app's project in the repository, such as src/App/App.csproj", Required = true };
        var branches = new Option<string[]>("--branch") { Description = "A branch and the environment its pushes deploy to, branch=environment (repeatable)" };
        var secretFile = new Option<FileInfo?>("--webhook-secret-file") { Description = "A file holding the secret GitHub signs pushes with (never on the command line, where others could read it)" };
        var set = new Command("set", "Set a project's source (admin): builds and the push webhook use it.") { project, repository, path, branches, secretFile };
        setService.AddTo(set);
        set.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, setService, async client =>
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in parse.GetValue(branches) ?? [])
            {
                var at = pair.IndexOf('=', StringComparison.Ordinal);
                if (at <= 0 || at == pair.Length - 1)
                {
                    throw new InputException($"--branch {pair}: expected branch=environment, such as main=prod.");
                }

                map[pair[..at]] = pair[(at + 1)..];
            }

            string? secret = null;
            if (parse.GetValue(secretFile) is { } file)
            {
                secret = file.Exists ? File.ReadAllText(file.FullName).Trim() : throw new InputException($"{file.FullName}: no such file.");
            }

            var projectId = await ProjectIdAsync(client, parse.GetValue(project)!, ct);
            var source = await client.SendAsync(
                HttpMethod.Put,
                $"/api/projects/{projectId}/source",
                new { repository = parse.GetValue(repository), path = parse.GetValue(path), branches = map, webhookSecret = secret },
                ct);
            Describe(client, source);
            return ExitCodes.Success;
        }));

        var showService = new ServiceOptions();
        var shown = new Option<string>("--project") { Description = "The project", Required = true };
        var showFormat = FormatOption();
        var show = new Command("show", "Show a project's source (never its webhook secret).") { shown, showFormat };
        showService.AddTo(show);
        show.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, showService, async client =>
        {
            var source = await client.SendAsync(HttpMethod.Get, $"/api/projects/{await ProjectIdAsync(client, parse.GetValue(shown)!, ct)}/source", cancellationToken: ct);
            if (parse.GetValue(showFormat) == "json")
            {
                Console.WriteLine(source.GetRawText());
            }
            else
            {
                Describe(client, source);
            }

            return ExitCodes.Success;
        }));

        return new Command("source", "The git repository a project's deployments can be built from, and its push webhook.") { set, show };

        static void Describe(PlatformClient client, JsonElement source)
        {
            Console.WriteLine($"{source.GetProperty("repository").GetString()} ({source.GetProperty("path").GetString()})");
            foreach (var branch in source.GetProperty("branches").EnumerateObject())
            {
                Console.WriteLine($"  a push to {branch.Name} deploys to {branch.Value.GetString()}");
            }

            Console.WriteLine(source.GetProperty("hasWebhookSecret").GetBoolean()
                ? $"  GitHub webhook: {client.Server}{source.GetProperty("webhook").GetString()!.TrimStart('/')} (application/json, push events)"
                : "  no webhook secret: pushes are refused; set one with --webhook-secret-file");
        }
    }

    private static async Task<long> ProjectIdAsync(PlatformClient client, string name, CancellationToken ct) =>
        (await client.SendAsync(HttpMethod.Get, "/api/projects", cancellationToken: ct)).EnumerateArray()
            .FirstOrDefault(p => p.GetProperty("name").GetString() == name) is { ValueKind: JsonValueKind.Object } project
            ? project.GetProperty("id").GetInt64()
            : throw new PlatformException($"There is no project named '{name}'.");

    /// <summary>An array as a table, or as the service's JSON.</summary>
    private static void Print(JsonElement items, string format, string[] columns, Func<JsonElement, string[]> row)
    {
        if (format == "json")
        {
            Console.WriteLine(items.GetRawText());
            return;
        }

        var table = new Table().AddColumns(columns);
        foreach (var item in items.EnumerateArray())
        {
            table.AddRow(row(item).Select(Markup.Escape).ToArray());
        }

        AnsiConsole.Write(table);
    }

    private static string Id(JsonElement item) => item.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);

    private static string Date(JsonElement at) => at.GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
