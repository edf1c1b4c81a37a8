using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Infrar.Platform.Cli;

/// <summary>
/// <c>infrar env create</c>, <c>infrar deploy</c>, <c>infrar status</c>, <c>infrar approve</c>, <c>infrar waive</c>,
/// <c>infrar destroy</c> and <c>infrar policy</c>: the deployment service from a terminal, with the log streamed as it
/// is written.
/// </summary>
internal static class DeploymentCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return EnvironmentCommand();
        yield return DeployCommand();
        yield return StatusCommand();
        yield return ApproveCommand();
        yield return WaiveCommand();
        yield return DestroyCommand();
        yield return PolicyCommand();
    }

    private static Command EnvironmentCommand()
    {
        var service = new ServiceOptions();
        var project = new Option<string>("--project") { Description = "The project (made when it does not exist)", Required = true };
        var name = new Option<string>("--name") { Description = "The environment's name, such as dev or prod", Required = true };
        var provider = new Option<string>("--provider") { Description = "local, aws, gcp or azure", Required = true };
        var region = new Option<string?>("--region") { Description = "The provider region" };
        var isProtected = new Option<bool>("--protected") { Description = "Require another user's approval before apply" };
        var variables = new Option<string[]>("--var") { Description = "An OpenTofu variable, name=value (repeatable)", AllowMultipleArgumentsPerToken = false };
        var state = new Option<string[]>("--state") { Description = "A remote state setting, name=value (repeatable): bucket=… for aws and gcp" };
        var credentials = new Option<string[]>("--credential-from-env") { Description = "The name of an environment variable of this shell to store, encrypted, as a credential (repeatable)" };
        var registry = new Option<string?>("--image-registry") { Description = "Build a container image of each build from source and push it here (host[:port][/path]); required for the clouds' images" };
        var repository = new Option<string?>("--image-repository") { Description = "The image's repository in the registry (the project's name by default)" };
        var baseImage = new Option<string?>("--base-image") { Description = "The image the app is layered on (the .NET SDK's default when not given)" };
        var healthPath = new Option<string?>("--health-path") { Description = "The path asked after an apply to see the app answer (/ by default)" };
        var withImage = new Option<bool>("--image") { Description = "Build an image of each build from source even without a registry (a local environment keeps it as an archive)" };
        var create = new Command("create", "Create an environment of a project.")
        {
            project, name, provider, region, isProtected, variables, state, credentials, registry, repository, baseImage, healthPath, withImage,
        };
        service.AddTo(create);
        create.SetAction(async (parse, ct) => await RunAsync(parse, service, async client =>
        {
            var projectName = parse.GetValue(project)!;
            long projectId;
            try
            {
                projectId = (await client.SendAsync(HttpMethod.Post, "/api/projects", new { name = projectName }, ct)).GetProperty("id").GetInt64();
            }
            catch (PlatformException e) when (e.Message.StartsWith("409", StringComparison.Ordinal))
            {
                var projects = await client.SendAsync(HttpMethod.Get, "/api/projects", cancellationToken: ct);
                projectId = projects.EnumerateArray().First(p => p.GetProperty("name").GetString() == projectName).GetProperty("id").GetInt64();
            }

            var secrets = new Dictionary<string, string>();
            foreach (var variable in parse.GetValue(credentials) ?? [])
            {
                secrets[variable] = Environment.GetEnvironmentVariable(variable)
                    ?? throw new PlatformException($"--credential-from-env {variable}: this shell has no variable {variable}.");
            }

            var environment = await client.SendAsync(HttpMethod.Post, $"/api/projects/{projectId}/environments", new
            {
                name = parse.GetValue(name),
                provider = parse.GetValue(provider),
                region = parse.GetValue(region),
                @protected = parse.GetValue(isProtected),
                variables = Pairs(parse.GetValue(variables), "--var"),
                state = Pairs(parse.GetValue(state), "--state"),
                credentials = secrets,
                image = parse.GetValue(withImage) || new[] { registry, repository, baseImage, healthPath }.Any(option => parse.GetValue(option) is not null)
                    ? new { registry = parse.GetValue(registry), repository = parse.GetValue(repository), baseImage = parse.GetValue(baseImage), healthPath = parse.GetValue(healthPath) }
                    : null,
            }, ct);
            Console.WriteLine($"Environment {environment.GetProperty("name").GetString()} ({environment.GetProperty("provider").GetString()}) of {projectName}: id {environment.GetProperty("id").GetInt64()}");
            return ExitCodes.Success;
        }));
        return new Command("env", "Manage environments.") { create };
    }

    private static Command DeployCommand()
    {
        var service = new ServiceOptions();
        var environment = new Option<string>("--env") { Description = "The environment to deploy to", Required = true };
        var infra = new Option<DirectoryInfo?>("--infra") { Description = "The infra/<provider> folder the build wrote" };
        var manifest = new Option<FileInfo?>("--manifest") { Description = "The infrar.manifest.json the build wrote" };
        var reference = new Option<string?>("--ref") { Description = "Instead of --infra and --manifest: build this branch, tag or commit of the project's source in the service, then deploy it" };
        var project = new Option<string?>("--project") { Description = "The project (default: the manifest's; required with --ref)" };
        var key = IdempotencyKeyOption();
        var command = new Command("deploy", "Plan and apply a build's infrastructure in an environment (or build the project's source at a ref first), streaming the log.")
        {
            environment, infra, manifest, reference, project, key,
        };
        service.AddTo(command);
        command.SetAction(async (parse, ct) => await RunAsync(parse, service, async client =>
        {
            if (parse.GetValue(reference) is { } gitRef)
            {
                if (parse.GetValue(infra) is not null || parse.GetValue(manifest) is not null)
                {
                    throw new InputException("--ref builds the project's source in the service; it does not take --infra or --manifest.");
                }

                var sourceProject = parse.GetValue(project) ?? throw new InputException("--ref needs --project: the project whose source is built.");
                var at = await FindEnvironmentAsync(client, sourceProject, parse.GetValue(environment)!, ct);
                var built = await client.SendAsync(HttpMethod.Post, $"/api/environments/{at}/builds", new { @ref = gitRef }, ct, parse.GetValue(key) ?? NewKey());
                return await FollowAsync(client, built.GetProperty("id").GetInt64(), ct);
            }

            var manifestFile = parse.GetValue(manifest) ?? throw new InputException("deploy needs --infra and --manifest (what dotnet build wrote), or --ref to build the project's source in the service.");
            var infraFolder = parse.GetValue(infra) ?? throw new InputException("deploy needs --infra and --manifest (what dotnet build wrote), or --ref to build the project's source in the service.");
            if (!manifestFile.Exists)
            {
                throw new InputException($"{manifestFile.FullName}: no such manifest. Build the app first: dotnet build writes infrar.manifest.json.");
            }

            if (!infraFolder.Exists)
            {
                throw new InputException($"{infraFolder.FullName}: no such folder. Build the app first: dotnet build writes infra/<provider>.");
            }

            JsonElement manifestJson;
            try
            {
                manifestJson = JsonDocument.Parse(await File.ReadAllTextAsync(manifestFile.FullName, ct)).RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new InputException($"{manifestFile.FullName}({(e.LineNumber ?? 0) + 1}): not valid JSON: {e.Message}");
            }

            var projectName = parse.GetValue(project) ?? (manifestJson.TryGetProperty("project", out var p) ? p.GetString() : null)
                ?? throw new InputException("The manifest names no project; pass --project.");
            var files = infraFolder.GetFiles().Where(f => !f.Name.StartsWith('.')).ToDictionary(f => f.Name, f => File.ReadAllText(f.FullName));
            var target = await FindEnvironmentAsync(client, projectName, parse.GetValue(environment)!, ct);
            var deployment = await client.SendAsync(
                HttpMethod.Post, $"/api/environments/{target}/deployments", new { infra = files, manifest = manifestJson }, ct, parse.GetValue(key) ?? NewKey());
            return await FollowAsync(client, deployment.GetProperty("id").GetInt64(), ct);
        }));
        return command;
    }

    /// <summary>
    /// The key that makes a submission safe to retry: the CLI retries with it after a 503 or a lost connection, and a
    /// script that runs the command again (a CI job re-run) can pass its own to get the first deployment back.
    /// </summary>
    internal static Option<string?> IdempotencyKeyOption() =>
        new("--idempotency-key") { Description = "Sent as Idempotency-Key: the same key gets the first deployment back instead of a second (default: a new key each run)" };

    internal static string NewKey() => Guid.NewGuid().ToString();

    private static Command StatusCommand()
    {
        var service = new ServiceOptions();
        var id = new Argument<long>("deployment") { Description = "The deployment's id" };
        var format = AdminCommands.FormatOption();
        var command = new Command("status", "Show a deployment's state and plan.") { id, format };
        service.AddTo(command);
        command.SetAction(async (parse, ct) => await RunAsync(parse, service, async client =>
        {
            var deployment = await client.SendAsync(HttpMethod.Get, $"/api/deployments/{parse.GetValue(id)}", cancellationToken: ct);
            if (parse.GetValue(format) == "json")
            {
                Console.WriteLine(deployment.GetRawText());
                return ExitFor(deployment.GetProperty("status").GetString()!);
            }

            Describe(deployment);
            return ExitFor(deployment.GetProperty("status").GetString()!);
        }));
        return command;
    }

    private static Command ApproveCommand()
    {
        var service = new ServiceOptions();
        var id = new Argument<long>("deployment") { Description = "The deployment waiting for approval" };
        var command = new Command("approve", "Approve a planned deployment of a protected environment, and follow its apply.") { id };
        service.AddTo(command);
        command.SetAction(async (parse, ct) => await RunAsync(parse, service, async client =>
        {
            await client.SendAsync(HttpMethod.Post, $"/api/deployments/{parse.GetValue(id)}/approve", cancellationToken: ct);
            return await FollowAsync(client, parse.GetValue(id), ct);
        }));
        return command;
    }

    private static Command WaiveCommand()
    {
        var service = new ServiceOptions();
        var id = new Argument<long>("deployment") { Description = "The deployment a guardrail stopped (policy_denied)" };
        var reason = new Option<string>("--reason") { Description = "Why the violations are accepted; the audit log keeps it", Required = true };
        var command = new Command("waive", "As an admin, accept the guardrail violations of a plan, and follow the deployment on.") { id, reason };
        service.AddTo(command);
        command.SetAction(async (parse, ct) => await RunAsync(parse, service, async client =>
        {
            await client.SendAsync(HttpMethod.Post, $"/api/deployments/{parse.GetValue(id)}/waive", new { reason = parse.GetValue(reason) }, ct);
            return await FollowAsync(client, parse.GetValue(id), ct);
        }));
        return command;
    }

    private static Command PolicyCommand()
    {
        var show = new Command("show", "Show the guardrail policy of a project, or of one of its environments.");
        var set = new Command("set", "Replace the guardrail policy of a project or an environment with a JSON file (docs/platform.md).");
        var clear = new Command("clear", "Remove the guardrail policy of a project or an environment.");
        foreach (var command in new[] { show, set, clear })
        {
            var service = new ServiceOptions();
            var project = new Option<string>("--project") { Description = "The project", Required = true };
            var environment = new Option<string?>("--env") { Description = "The environment (default: the project itself)" };
            var file = new Option<FileInfo>("--file") { Description = "The policy, as JSON", Required = true };
            command.Options.Add(project);
            command.Options.Add(environment);
            if (command == set)
            {
                command.Options.Add(file);
            }

            service.AddTo(command);
            command.SetAction(async (parse, ct) => await RunAsync(parse, service, async client =>
            {
                var path = parse.GetValue(environment) is { } env
                    ? $"/api/environments/{await FindEnvironmentAsync(client, parse.GetValue(project)!, env, ct)}/policy"
                    : $"/api/projects/{await FindProjectAsync(client, parse.GetValue(project)!, ct)}/policy";
                JsonElement result;
                if (command == set)
                {
                    var policyFile = parse.GetValue(file)!;
                    if (!policyFile.Exists)
                    {
                        throw new InputException($"{policyFile.FullName}: no such policy file.");
                    }

                    JsonElement policy;
                    try
                    {
                        policy = JsonDocument.Parse(await File.ReadAllTextAsync(policyFile.FullName, ct), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }).RootElement.Clone();
                    }
                    catch (JsonException e)
                    {
                        throw new InputException($"{policyFile.FullName}({(e.LineNumber ?? 0) + 1}): not valid JSON: {e.Message}");
                    }

                    result = await client.SendAsync(HttpMethod.Put, path, policy, ct);
                }
                else if (command == clear)
                {
                    await client.SendAsync(HttpMethod.Delete, path, cancellationToken: ct);
                    Console.WriteLine("Policy removed.");
                    return ExitCodes.Success;
                }
                else
                {
                    result = await client.SendAsync(HttpMethod.Get, path, cancellationToken: ct);
                }

                Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
                return ExitCodes.Success;
            }));
        }

        return new Command("policy", "Guardrails an admin adds to a project or an environment.") { show, set, clear };
    }

    private static Command DestroyCommand()
    {
        var service = new ServiceOptions();
        var project = new Option<string>("--project") { Description = "The project", Required = true };
        var environment = new Option<string>("--env") { Description = "The environment whose infrastructure to destroy", Required = true };
        var key = IdempotencyKeyOption();
        var command = new Command("destroy", "Destroy what the environment's last successful deployment created, streaming the log.") { project, environment, key };
        service.AddTo(command);
        command.SetAction(async (parse, ct) => await RunAsync(parse, service, async client =>
        {
            var target = await FindEnvironmentAsync(client, parse.GetValue(project)!, parse.GetValue(environment)!, ct);
            var deployment = await client.SendAsync(HttpMethod.Post, $"/api/environments/{target}/destroy", cancellationToken: ct, idempotencyKey: parse.GetValue(key) ?? NewKey());
            return await FollowAsync(client, deployment.GetProperty("id").GetInt64(), ct);
        }));
        return command;
    }

    private static async Task<long> FindProjectAsync(PlatformClient client, string project, CancellationToken ct) =>
        (await client.SendAsync(HttpMethod.Get, "/api/projects", cancellationToken: ct)).EnumerateArray()
            .FirstOrDefault(p => p.GetProperty("name").GetString() == project) is { ValueKind: JsonValueKind.Object } found
            ? found.GetProperty("id").GetInt64()
            : throw new PlatformException($"404 Not Found: There is no project '{project}'.");

    private static async Task<long> FindEnvironmentAsync(PlatformClient client, string project, string environment, CancellationToken ct) =>
        (await client.SendAsync(HttpMethod.Get, $"/api/environments?project={Uri.EscapeDataString(project)}&name={Uri.EscapeDataString(environment)}", cancellationToken: ct))
            .GetProperty("id").GetInt64();

    private static async Task<int> FollowAsync(PlatformClient client, long id, CancellationToken ct)
    {
        Console.WriteLine($"Deployment #{id}: {client.Server}ui/deployments/{id}");
        var status = await client.FollowAsync(id, (name, data) =>
        {
            if (name == "status")
            {
                AnsiConsole.MarkupLineInterpolated($"[bold]== {data}[/]");
            }
            else
            {
                Console.WriteLine(data);
            }
        }, ct);
        var deployment = await client.SendAsync(HttpMethod.Get, $"/api/deployments/{id}", cancellationToken: ct);
        Describe(deployment);
        if (status == "awaiting_approval")
        {
            Console.WriteLine($"Another user approves it with: infrar approve {id}");
        }
        else if (status == "policy_denied")
        {
            Console.WriteLine($"An admin accepts the violations with: infrar waive {id} --reason \"…\"; or cancel it.");
        }

        return ExitFor(deployment.GetProperty("status").GetString()!);
    }

    private static void Describe(JsonElement deployment)
    {
        var status = deployment.GetProperty("status").GetString();
        Console.WriteLine($"Deployment #{deployment.GetProperty("id").GetInt64()} ({deployment.GetProperty("kind").GetString()}): {status}");
        if (deployment.TryGetProperty("plan", out var plan) && plan.ValueKind == JsonValueKind.Object)
        {
            Console.WriteLine($"Plan: {plan.GetProperty("adds").GetInt64()} to add, {plan.GetProperty("changes").GetInt64()} to change, {plan.GetProperty("destroys").GetInt64()} to destroy.");
        }

        if (deployment.TryGetProperty("violations", out var violations) && violations.ValueKind == JsonValueKind.Array)
        {
            Console.WriteLine($"Guardrail violations ({violations.GetArrayLength()}):");
            foreach (var violation in violations.EnumerateArray())
            {
                Console.WriteLine($"  {violation.GetProperty("resource").GetString()}: {violation.GetProperty("message").GetString()} (rule {violation.GetProperty("rule").GetString()}, {violation.GetProperty("source").GetString()})");
            }
        }

        if (deployment.TryGetProperty("waivedBy", out var waivedBy) && waivedBy.ValueKind == JsonValueKind.String)
        {
            Console.WriteLine($"Waived by {waivedBy.GetString()}: {deployment.GetProperty("waiverReason").GetString()}");
        }

        if (deployment.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Object)
        {
            Console.WriteLine("Outputs:");
            foreach (var output in outputs.GetProperty("values").EnumerateObject())
            {
                Console.WriteLine($"  {output.Name} = {(output.Value.ValueKind == JsonValueKind.String ? output.Value.GetString() : output.Value.GetRawText())}");
            }

            foreach (var name in outputs.GetProperty("sensitive").EnumerateArray())
            {
                Console.WriteLine($"  {name.GetString()} = (sensitive, not stored)");
            }
        }

        if (deployment.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.Object)
        {
            Console.WriteLine($"Built from {source.GetProperty("repository").GetString()} at {source.GetProperty("ref").GetString()} ({source.GetProperty("commit").GetString() ?? "commit not yet known"})");
        }

        if (deployment.TryGetProperty("image", out var image) && image.ValueKind == JsonValueKind.Object)
        {
            Console.WriteLine($"Image: {image.GetProperty("reference").GetString()}");
        }

        if (deployment.TryGetProperty("health", out var health) && health.ValueKind == JsonValueKind.Object)
        {
            Console.WriteLine($"Health: {(health.GetProperty("healthy").GetBoolean() ? "healthy" : "unhealthy")} at {health.GetProperty("url").GetString()}: {health.GetProperty("detail").GetString()}");
        }

        if (deployment.TryGetProperty("failure", out var failure) && failure.ValueKind == JsonValueKind.String)
        {
            Console.Error.WriteLine($"Failure: {failure.GetString()}");
        }
    }

    private static int ExitFor(string status) => status switch
    {
        "succeeded" or "destroyed" => ExitCodes.Success,
        "awaiting_approval" => ExitCodes.AwaitingApproval,
        "policy_denied" => ExitCodes.PolicyDenied,
        "failed" or "cancelled" or "unhealthy" => ExitCodes.DeploymentFailed,
        _ => ExitCodes.Success,
    };

    private static Dictionary<string, string> Pairs(string[]? values, string option)
    {
        var pairs = new Dictionary<string, string>();
        foreach (var value in values ?? [])
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new InputException($"{option} {value}: expected name=value.");
            }

            pairs[value[..equals]] = value[(equals + 1)..];
        }

        return pairs;
    }

    internal static async Task<int> RunAsync(ParseResult parse, ServiceOptions service, Func<PlatformClient, Task<int>> action)
    {
        PlatformClient? client = null;
        IAsyncDisposable? local = null;
        try
        {
            (client, local) = await service.ConnectAsync(parse);
            return await action(client);
        }
        catch (InputException e)
        {
            await Console.Error.WriteLineAsync($"infrar {parse.CommandResult.Command.Name}: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (PlatformException e)
        {
            await Console.Error.WriteLineAsync($"infrar {parse.CommandResult.Command.Name}: {e.Message}");
            return ExitCodes.ServiceError;
        }
        finally
        {
            client?.Dispose();
            if (local is not null)
            {
                await local.DisposeAsync();
            }
        }
    }
}
