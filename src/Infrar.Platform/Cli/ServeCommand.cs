using System.CommandLine;
using Infrar.Platform.Service;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Infrar.Platform.Cli;

/// <summary><c>infrar serve</c>: the deployment service, its API and dashboard, on loopback unless told otherwise.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var data = new Option<DirectoryInfo?>("--data") { Description = "The data folder (default: INFRAR_DATA, else ~/.local/share/infrar/platform)" };
        var postgres = new Option<string?>("--postgres") { Description = "A PostgreSQL connection string (default: INFRAR_POSTGRES; else SQLite in the data folder)" };
        var urls = new Option<string?>("--urls") { Description = "Where to listen (default http://127.0.0.1:5080)" };
        var tofu = new Option<string?>("--tofu") { Description = "The OpenTofu binary (default: tofu on PATH, else terraform)" };
        var lease = new Option<int?>("--lease-seconds") { Description = "How long a running job's lease lasts before a silent worker is taken for dead (default 30)" };
        var sandbox = new Option<string?>("--sandbox") { Description = "How OpenTofu runs are isolated: bwrap (default: bubblewrap) or none (only where every deployer is trusted)" };
        var sandboxUser = new Option<string?>("--sandbox-user") { Description = "UID:GID that runs use when the service is root (default 65534:65534)" };
        var workRoot = new Option<string?>("--work-root") { Description = "Where runs' working copies are made and deleted (default: infrar-work in the temp folder)" };
        var mirror = new Option<string?>("--provider-mirror") { Description = "The provider plugins runs may use, as a filesystem mirror (default: providers in the data folder)" };
        var allow = new Option<string[]>("--allow-provider") { Description = "A provider source to allow beyond the catalog's, as namespace/type (repeatable)" };
        var auditWindow = new Option<int?>("--anonymous-audit-seconds") { Description = "How long refused requests without a valid token are counted before their audit row is written (default 60)" };
        var poolSize = new Option<int?>("--db-pool-size") { Description = $"The most PostgreSQL connections this instance keeps (default {Data.Database.DefaultPoolSize}); instances × pool size must stay below the server's max_connections" };
        var dbWait = new Option<double?>("--db-wait-seconds") { Description = $"How long a request waits for a database connection (SQLite: the write lock) before it is answered 503 (default {Data.Database.DefaultWait.TotalSeconds})" };
        var jobs = new Option<int?>("--jobs") { Description = "How many deployments this instance runs at once, each on its own environment (default 4; 0 runs none: an API-only instance)" };
        var migrationParallelism = new Option<int?>("--migration-parallelism") { Description = "How many objects a migration copies at once (default 8; each holds at most 8 MiB in memory)" };
        var allowLocalRepositories = new Option<bool>("--allow-local-repositories")
        {
            Description = "Let a project's source be a git repository on this machine (a path), not only https:// or ssh://: for a single-user service",
        };
        var transferThreshold = new Option<string?>("--migration-transfer-threshold") { Description = "The bucket size from which a migration hands the copy to the target cloud's transfer service, such as 500GiB (default 1TiB)" };
        var logLevel = new Option<string?>("--log-level") { Description = "trace, debug, information (default), warning or error; debug logs every request" };
        var logFormat = new Option<string?>("--log-format") { Description = "simple (default) or json (one object a line)" };
        var command = new Command("serve", "Run the deployment service: JSON API (/api, OpenAPI at /openapi/v1.json) and dashboard (/).")
        {
            data, postgres, urls, tofu, lease, sandbox, sandboxUser, workRoot, mirror, allow, auditWindow, poolSize, dbWait, jobs, migrationParallelism, transferThreshold, allowLocalRepositories, logLevel, logFormat,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new PlatformOptions();
            if (parse.GetValue(data) is { } folder)
            {
                options.DataDirectory = folder.FullName;
            }

            if (Configure(options) is { } configurationProblem)
            {
                await Console.Error.WriteLineAsync($"infrar serve: {configurationProblem}");
                return ExitCodes.Usage;
            }

            options.Postgres = parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("INFRAR_POSTGRES") ?? options.Postgres;
            options.Urls = parse.GetValue(urls) ?? options.Urls;
            options.Tofu = parse.GetValue(tofu) ?? Environment.GetEnvironmentVariable("INFRAR_TOFU") ?? options.Tofu;
            if (parse.GetValue(lease) is { } seconds)
            {
                options.Lease = TimeSpan.FromSeconds(seconds);
            }

            options.Sandbox = parse.GetValue(sandbox) ?? Environment.GetEnvironmentVariable("INFRAR_SANDBOX") ?? options.Sandbox;
            options.SandboxUser = parse.GetValue(sandboxUser) ?? options.SandboxUser;
            options.WorkRoot = parse.GetValue(workRoot) ?? options.WorkRoot;
            options.ProviderMirror = parse.GetValue(mirror) ?? options.ProviderMirror;
            options.AllowedProviders = [.. options.AllowedProviders, .. parse.GetValue(allow) ?? []];
            options.AllowLocalRepositories |= parse.GetValue(allowLocalRepositories) || Environment.GetEnvironmentVariable("INFRAR_ALLOW_LOCAL_REPOSITORIES") == "true";
            if (parse.GetValue(auditWindow) is { } window)
            {
                options.AnonymousAuditWindow = TimeSpan.FromSeconds(window);
            }

            if (Validate(parse, options, poolSize, dbWait, jobs, migrationParallelism, transferThreshold, logLevel, logFormat) is { } problem)
            {
                await Console.Error.WriteLineAsync($"infrar serve: {problem}");
                return ExitCodes.Usage;
            }

            try
            {
                await using var app = await PlatformHost.BuildAsync(options);
                await app.StartAsync(ct);
                var database = app.Services.GetRequiredService<Data.Database>();
                Console.WriteLine($"Infrar.Platform listening on {string.Join(", ", app.Urls)}");
                Console.WriteLine($"  data:     {options.DataDirectory}");
                Console.WriteLine($"  database: {database.Description}");
                Console.WriteLine($"  sandbox:  {app.Services.GetRequiredService<Deployments.TofuSandbox>().Description}");
                Console.WriteLine($"  jobs:     {(options.RunWorker ? $"up to {options.Jobs} at once" : "none (API only)")}");
                Console.WriteLine($"  tokens:   the first admin token is in {options.AdminTokenFile}");
                await app.WaitForShutdownAsync(ct);
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is InvalidOperationException or System.Data.Common.DbException or IOException)
            {
                await Console.Error.WriteLineAsync($"infrar serve: {e.Message}");
                return ExitCodes.ServiceError;
            }
        });
        return command;
    }

    /// <summary>
    /// Reads the settings configuration gives, before the command line's flags (which win): the <c>Infrar</c> section
    /// of appsettings.json in the current folder, then of the one in the data folder, then <c>INFRAR__*</c> variables
    /// (<c>INFRAR__Jobs=8</c>, <c>INFRAR__BuildEnvironment__NAME=value</c>). Null, or what is wrong with them.
    /// </summary>
    private static string? Configure(PlatformOptions options)
    {
        try
        {
            var files = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(Environment.CurrentDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
                .AddJsonFile(Path.Combine(options.DataDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
                .Build();
            files.GetSection("Infrar").Bind(options);
            new ConfigurationBuilder().AddEnvironmentVariables("INFRAR__").Build().Bind(options);
            return options.OtlpEndpoint is { Length: > 0 } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
                ? $"OtlpEndpoint '{endpoint}' is not an http:// or https:// URL (the OTLP collector's, as http://collector:4318)"
                : null;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            return $"the configuration cannot be read: {e.Message}";
        }
    }

    private static string? Validate(
        ParseResult parse,
        PlatformOptions options,
        Option<int?> poolSize,
        Option<double?> dbWait,
        Option<int?> jobs,
        Option<int?> migrationParallelism,
        Option<string?> transferThreshold,
        Option<string?> logLevel,
        Option<string?> logFormat)
    {
        if ((parse.GetValue(poolSize) ?? IntegerVariable("INFRAR_DB_POOL_SIZE")) is { } pool)
        {
            if (pool is < 1 or > 1000)
            {
                return $"--db-pool-size must be between 1 and 1000, not {pool}.";
            }

            options.DatabasePoolSize = pool;
        }

        if (parse.GetValue(dbWait) is { } wait)
        {
            if (wait is < 0.1 or > 600 || double.IsNaN(wait))
            {
                return $"--db-wait-seconds must be between 0.1 and 600, not {wait}.";
            }

            options.DatabaseWait = TimeSpan.FromSeconds(wait);
        }

        if ((parse.GetValue(jobs) ?? IntegerVariable("INFRAR_JOBS")) is { } count)
        {
            if (count is < 0 or > 64)
            {
                return $"--jobs must be between 0 and 64, not {count}.";
            }

            options.Jobs = count;
            options.RunWorker = count > 0;
        }

        if ((parse.GetValue(migrationParallelism) ?? IntegerVariable("INFRAR_MIGRATION_PARALLELISM")) is { } copies)
        {
            if (copies is < 1 or > 64)
            {
                return $"--migration-parallelism must be between 1 and 64, not {copies}.";
            }

            options.MigrationParallelism = copies;
        }

        if ((parse.GetValue(transferThreshold) ?? Environment.GetEnvironmentVariable("INFRAR_MIGRATION_TRANSFER_THRESHOLD")) is { } threshold)
        {
            if (!Migrations.ByteSize.TryParse(threshold, out var bytes))
            {
                return $"--migration-transfer-threshold must be a size such as 500GiB, 2TiB or a number of bytes, not '{threshold}'.";
            }

            options.MigrationTransferThreshold = bytes;
        }

        if (parse.GetValue(logLevel) is { } level)
        {
            if (!Enum.TryParse<Microsoft.Extensions.Logging.LogLevel>(level, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(level, out _))
            {
                return $"--log-level must be trace, debug, information, warning, error or critical, not '{level}'.";
            }

            options.LogLevel = parsed;
        }

        if (parse.GetValue(logFormat) is { } format)
        {
            if (format is not ("simple" or "json"))
            {
                return $"--log-format must be simple or json, not '{format}'.";
            }

            options.LogFormat = format;
        }

        return null;
    }

    private static int? IntegerVariable(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
}
