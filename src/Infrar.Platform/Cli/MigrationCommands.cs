using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Infrar.Platform.Cli;

/// <summary>
/// <c>infrar migrate plan|start|approve|status|catchup|cutover|rollback|cleanup|cancel|retry</c>: moving an app and its
/// data from one environment to another (docs/migration.md), with the copy's progress shown as it goes.
/// </summary>
internal static class MigrationCommands
{
    /// <summary>The states in which a migration waits for a person, or has ended: following it stops there.</summary>
    private static readonly string[] Resting = ["planned", "awaiting_approval", "ready", "cut_over", "cleaned_up", "rolled_back", "failed", "cancelled"];

    public static Command Create()
    {
        var migrate = new Command("migrate", "Move an app and its data from one environment to another: plan, start, follow, cut over, roll back, clean up.")
        {
            PlanCommand(),
            Step("start", "Start a planned migration (a protected target waits for another user's approval), and follow it.", "start", follow: true),
            Step("approve", "Approve a migration into a protected environment, and follow it.", "approve", follow: true),
            StatusCommand(),
            Step("catchup", "Copy again what changed on the source since the last pass, and follow it.", "catchup", follow: true),
            Step("cutover", "Make the target the app's live environment (the source is left as it is).", "cutover", follow: false),
            RollbackCommand(),
            CleanupCommand(),
            Step("cancel", "Cancel a migration that has not started copying.", "cancel", follow: false),
            Step("retry", "Copy again the objects a failed migration could not copy or verify, and follow it.", "retry", follow: true),
        };
        return migrate;
    }

    private static Command PlanCommand()
    {
        var service = new ServiceOptions();
        var project = new Option<string>("--project") { Description = "The project", Required = true };
        var from = new Option<string>("--from") { Description = "The environment the app runs in now", Required = true };
        var to = new Option<string>("--to") { Description = "The environment to move it to", Required = true };
        var infra = new Option<DirectoryInfo?>("--infra") { Description = "The target build's infra/<provider> folder: the migration deploys the target with it (default: copy into the target's live deployment)" };
        var manifest = new Option<FileInfo?>("--manifest") { Description = "The target build's infrar.manifest.json (with --infra)" };
        var threshold = new Option<string?>("--transfer-threshold")
        {
            Description = "The bucket size from which the target cloud's transfer service copies a bucket, where one can read the source, such as 500GiB (default: the service's)",
        };
        var key = DeploymentCommands.IdempotencyKeyOption();
        var command = new Command("plan", "Plan a migration: list the source's objects, choose each bucket's engine, price both sides and the copy, and show the risks.")
        {
            project, from, to, infra, manifest, threshold, key,
        };
        service.AddTo(command);
        command.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, service, async client =>
        {
            Dictionary<string, string>? files = null;
            JsonElement? manifestJson = null;
            long? transferThreshold = null;
            if (parse.GetValue(threshold) is { } size)
            {
                transferThreshold = Migrations.ByteSize.TryParse(size, out var bytes)
                    ? bytes
                    : throw new InputException($"--transfer-threshold must be a size such as 500GiB, 2TiB or a number of bytes, not '{size}'.");
            }

            if (parse.GetValue(infra) is { } folder)
            {
                if (!folder.Exists)
                {
                    throw new InputException($"{folder.FullName}: no such folder. Build the app for the target first: dotnet build -p:InfrarProvider=<provider>.");
                }

                var manifestFile = parse.GetValue(manifest) ?? throw new InputException("--infra needs --manifest: the target build's infrar.manifest.json.");
                if (!manifestFile.Exists)
                {
                    throw new InputException($"{manifestFile.FullName}: no such manifest.");
                }

                files = folder.GetFiles().Where(f => !f.Name.StartsWith('.')).ToDictionary(f => f.Name, f => File.ReadAllText(f.FullName));
                try
                {
                    manifestJson = JsonDocument.Parse(await File.ReadAllTextAsync(manifestFile.FullName, ct)).RootElement.Clone();
                }
                catch (JsonException e)
                {
                    throw new InputException($"{manifestFile.FullName}({(e.LineNumber ?? 0) + 1}): not valid JSON: {e.Message}");
                }
            }

            var created = await client.SendAsync(
                HttpMethod.Post,
                "/api/migrations",
                new { project = parse.GetValue(project), from = parse.GetValue(from), to = parse.GetValue(to), infra = files, manifest = manifestJson, transferThreshold },
                ct,
                parse.GetValue(key) ?? DeploymentCommands.NewKey());
            var migration = await FollowAsync(client, created.GetProperty("id").GetInt64(), ct);
            Describe(migration);
            return ExitFor(migration);
        }));
        return command;
    }

    private static Command StatusCommand()
    {
        var service = new ServiceOptions();
        var id = new Argument<long>("migration") { Description = "The migration's id" };
        var watch = new Option<bool>("--watch") { Description = "Follow it until it waits for a person or ends" };
        var command = new Command("status", "Show a migration: its plan, progress (objects, bytes, rate, time left) and state.") { id, watch };
        service.AddTo(command);
        command.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, service, async client =>
        {
            var migration = parse.GetValue(watch)
                ? await FollowAsync(client, parse.GetValue(id), ct)
                : await client.SendAsync(HttpMethod.Get, $"/api/migrations/{parse.GetValue(id)}", cancellationToken: ct);
            Describe(migration);
            return ExitFor(migration);
        }));
        return command;
    }

    private static Command RollbackCommand()
    {
        var service = new ServiceOptions();
        var id = new Argument<long>("migration") { Description = "The migration's id" };
        var command = new Command("rollback", "Return to the source; after cutover, lists the objects written on the target since, which only it has.") { id };
        service.AddTo(command);
        command.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, service, async client =>
        {
            var result = await client.SendAsync(HttpMethod.Post, $"/api/migrations/{parse.GetValue(id)}/rollback", new { }, ct);
            Describe(result.GetProperty("migration"));
            var written = result.GetProperty("writtenAfterCutover").GetInt64();
            if (written > 0)
            {
                Console.WriteLine($"{written} objects were written on the target after cutover and are only there; copy them back before the target is destroyed:");
                foreach (var name in result.GetProperty("objects").EnumerateArray())
                {
                    Console.WriteLine("  " + name.GetString());
                }
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CleanupCommand()
    {
        var service = new ServiceOptions();
        var id = new Argument<long>("migration") { Description = "The migration's id" };
        var confirm = new Option<string>("--confirm") { Description = "The source environment's name: cleanup destroys its infrastructure, buckets included", Required = true };
        var command = new Command("cleanup", "After cutover, verify the target holds every object of the source, then destroy the source's infrastructure.") { id, confirm };
        service.AddTo(command);
        command.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, service, async client =>
        {
            await client.SendAsync(HttpMethod.Post, $"/api/migrations/{parse.GetValue(id)}/cleanup", new { confirm = parse.GetValue(confirm) }, ct);
            var migration = await FollowAsync(client, parse.GetValue(id), ct);
            Describe(migration);
            return ExitFor(migration);
        }));
        return command;
    }

    private static Command Step(string name, string description, string action, bool follow)
    {
        var service = new ServiceOptions();
        var id = new Argument<long>("migration") { Description = "The migration's id" };
        var command = new Command(name, description) { id };
        service.AddTo(command);
        command.SetAction(async (parse, ct) => await DeploymentCommands.RunAsync(parse, service, async client =>
        {
            var migration = await client.SendAsync(HttpMethod.Post, $"/api/migrations/{parse.GetValue(id)}/{action}", new { }, ct);
            if (follow)
            {
                migration = await FollowAsync(client, parse.GetValue(id), ct);
            }

            Describe(migration);
            return ExitFor(migration);
        }));
        return command;
    }

    /// <summary>Prints the migration's new log lines and its progress until it waits for a person or ends; returns it then.</summary>
    private static async Task<JsonElement> FollowAsync(PlatformClient client, long id, CancellationToken ct)
    {
        Console.WriteLine($"Migration #{id}: {client.Server}ui/migrations/{id}");
        var shownLines = 0;
        string? lastStatus = null;
        string? lastProgress = null;
        while (true)
        {
            var migration = await client.SendAsync(HttpMethod.Get, $"/api/migrations/{id}", cancellationToken: ct);
            var lines = (await client.SendTextAsync($"/api/migrations/{id}/log", ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var line in lines.Skip(shownLines))
            {
                Console.WriteLine(line);
            }

            shownLines = lines.Length;
            var status = migration.GetProperty("status").GetString()!;
            if (status != lastStatus)
            {
                AnsiConsole.MarkupLineInterpolated($"[bold]== {status}[/]");
                lastStatus = status;
            }

            if (status == "copying" && Progress(migration) is { } progress && progress != lastProgress)
            {
                Console.WriteLine(progress);
                lastProgress = progress;
            }

            if (Resting.Contains(status))
            {
                return migration;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    private static string? Progress(JsonElement migration)
    {
        if (!migration.TryGetProperty("progress", out var progress) || progress.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var rate = progress.GetProperty("bytesPerSecond").GetDouble();
        var eta = progress.GetProperty("etaSeconds") is { ValueKind: JsonValueKind.Number } seconds ? $", about {TimeSpan.FromSeconds(Math.Ceiling(seconds.GetDouble())):g} left" : "";
        var failed = progress.GetProperty("failedObjects").GetInt64();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"  {progress.GetProperty("copiedObjects").GetInt64()} of {progress.GetProperty("objects").GetInt64()} objects, {Bytes(progress.GetProperty("copiedBytes").GetInt64())} of {Bytes(progress.GetProperty("bytes").GetInt64())}, {Bytes((long)rate)}/s{eta}{(failed > 0 ? $", {failed} failed" : "")}");
    }

    private static void Describe(JsonElement migration)
    {
        Console.WriteLine($"Migration #{migration.GetProperty("id").GetInt64()}: {migration.GetProperty("source").GetString()} → {migration.GetProperty("target").GetString()}, {migration.GetProperty("status").GetString()} (pass {migration.GetProperty("pass").GetInt64()})");
        if (migration.TryGetProperty("plan", out var plan) && plan.ValueKind == JsonValueKind.Object)
        {
            var source = plan.GetProperty("source");
            var target = plan.GetProperty("target");
            Console.WriteLine($"  from {source.GetProperty("environment").GetString()} ({source.GetProperty("provider").GetString()}, deployment {source.GetProperty("deploymentId").GetInt64()}) to {target.GetProperty("environment").GetString()} ({target.GetProperty("provider").GetString()})");
            Console.WriteLine($"  provisioning: {plan.GetProperty("provisioning").GetString()}");
            var table = new Table().AddColumns("Bucket", "Source", "Objects", "Size", "Copied by");
            var reasons = new List<string>();
            foreach (var bucket in plan.GetProperty("buckets").EnumerateArray())
            {
                var engine = bucket.TryGetProperty("engine", out var named) ? named.GetString() : null;
                table.AddRow(
                    Markup.Escape(bucket.GetProperty("name").GetString()!),
                    Markup.Escape(bucket.GetProperty("sourceName").GetString()!),
                    bucket.GetProperty("objects").GetInt64().ToString("N0", CultureInfo.InvariantCulture),
                    Bytes(bucket.GetProperty("bytes").GetInt64()),
                    Markup.Escape(Migrations.Transfers.TransferEngines.Title(engine)));
                if (bucket.TryGetProperty("why", out var why))
                {
                    reasons.Add($"    {bucket.GetProperty("name").GetString()}: {why.GetString()}");
                }
            }

            AnsiConsole.Write(table);
            reasons.ForEach(Console.WriteLine);
            var cost = plan.GetProperty("cost");
            var currency = cost.GetProperty("currency").GetString();
            Console.WriteLine($"  monthly: {Money(cost.GetProperty("sourceMonthly"), currency)} now, {Money(cost.GetProperty("targetMonthly"), currency)} on the target; the copy's egress: {Money(cost.GetProperty("copyEgress"), currency)} once ({cost.GetProperty("copyGb").GetDecimal():0.###} GB)");
            foreach (var note in cost.GetProperty("notes").EnumerateArray())
            {
                Console.WriteLine($"    {note.GetString()}");
            }

            Console.WriteLine($"  the copy should take about {TimeSpan.FromSeconds(Math.Ceiling(plan.GetProperty("estimatedSeconds").GetDouble())):g}");
            Console.WriteLine("  risks:");
            foreach (var risk in plan.GetProperty("risks").EnumerateArray())
            {
                Console.WriteLine($"    - {risk.GetString()}");
            }
        }

        if (Progress(migration) is { } progress && migration.GetProperty("status").GetString() is not ("planning" or "planned"))
        {
            Console.WriteLine(progress);
        }

        if (migration.TryGetProperty("failure", out var failure) && failure.ValueKind == JsonValueKind.String)
        {
            Console.Error.WriteLine($"Failure: {failure.GetString()}");
        }
    }

    private static int ExitFor(JsonElement migration) => migration.GetProperty("status").GetString() switch
    {
        "awaiting_approval" => ExitCodes.AwaitingApproval,
        "failed" or "cancelled" => ExitCodes.DeploymentFailed,
        _ => ExitCodes.Success,
    };

    private static string Money(JsonElement value, string? currency) =>
        value.ValueKind == JsonValueKind.Number ? string.Create(CultureInfo.InvariantCulture, $"{value.GetDecimal():0.00} {currency}") : "unknown";

    private static string Bytes(long bytes) => Migrations.MigrationPlanner.Bytes(bytes);
}
