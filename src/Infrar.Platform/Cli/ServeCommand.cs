using System.CommandLine;
using Infrar.Platform.Service;
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
        var command = new Command("serve", "Run the deployment service: JSON API (/api, OpenAPI at /openapi/v1.json) and dashboard (/).")
        {
            data, postgres, urls, tofu, lease,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new PlatformOptions();
            if (parse.GetValue(data) is { } folder)
            {
                options.DataDirectory = folder.FullName;
            }

            options.Postgres = parse.GetValue(postgres) ?? Environment.GetEnvironmentVariable("INFRAR_POSTGRES");
            options.Urls = parse.GetValue(urls) ?? options.Urls;
            options.Tofu = parse.GetValue(tofu) ?? Environment.GetEnvironmentVariable("INFRAR_TOFU");
            if (parse.GetValue(lease) is { } seconds)
            {
                options.Lease = TimeSpan.FromSeconds(seconds);
            }

            try
            {
                await using var app = await PlatformHost.BuildAsync(options);
                await app.StartAsync(ct);
                var database = app.Services.GetRequiredService<Data.Database>();
                Console.WriteLine($"Infrar.Platform listening on {string.Join(", ", app.Urls)}");
                Console.WriteLine($"  data:     {options.DataDirectory}");
                Console.WriteLine($"  database: {database.Description}");
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
}
