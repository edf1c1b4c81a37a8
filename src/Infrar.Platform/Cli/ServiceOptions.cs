using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Infrar.Platform.Cli;

/// <summary>The options every command that talks to the service shares: where it is and which token to send.</summary>
internal sealed class ServiceOptions
{
    public Option<string?> Server { get; } = new("--server") { Description = "The service's address (default: INFRAR_SERVER, else http://127.0.0.1:5080)" };

    public Option<string?> Token { get; } = new("--token") { Description = "An API token (default: INFRAR_TOKEN, else the admin-token file in the local service's data folder)" };

    public Option<bool> Local { get; } = new("--local") { Description = "Run the service in this process, on the local data folder, for the duration of the command" };

    public void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Token);
        command.Options.Add(Local);
    }

    /// <summary>Connects to the service named by the options, or starts one in process with --local.</summary>
    public async Task<(PlatformClient Client, IAsyncDisposable? LocalService)> ConnectAsync(ParseResult parse)
    {
        if (parse.GetValue(Local))
        {
            var options = new PlatformOptions { Urls = "http://127.0.0.1:0" };
            var app = await Service.PlatformHost.BuildAsync(options, logging => logging.ClearProviders());
            await app.StartAsync();
            var address = app.Urls.First();
            return (new PlatformClient(new Uri(address), ReadTokenFile(options.AdminTokenFile)), app);
        }

        var server = parse.GetValue(Server) ?? Environment.GetEnvironmentVariable("INFRAR_SERVER") ?? "http://127.0.0.1:5080";
        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("INFRAR_TOKEN") ?? ReadTokenFile(new PlatformOptions().AdminTokenFile);
        return (new PlatformClient(new Uri(server), token), null);
    }

    private static string ReadTokenFile(string path) =>
        File.Exists(path)
            ? File.ReadAllText(path).Trim()
            : throw new PlatformException($"No API token: pass --token, set INFRAR_TOKEN, or run beside the service whose data folder holds {path}.");
}
