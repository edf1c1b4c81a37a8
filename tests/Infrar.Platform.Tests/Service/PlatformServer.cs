using Infrar.Platform.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Infrar.Platform.Tests.Service;

/// <summary>The service in this process on a free loopback port, over a given database, running the real terraform binary.</summary>
public sealed class PlatformServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PlatformServer(WebApplication app, PlatformOptions options)
    {
        _app = app;
        Options = options;
        BaseAddress = new Uri(app.Urls.First());
    }

    internal PlatformOptions Options { get; }

    public Uri BaseAddress { get; }

    public string AdminToken => File.ReadAllText(Options.AdminTokenFile).Trim();

    internal IServiceProvider Services => _app.Services;

    internal static async Task<PlatformServer> StartAsync(
        string dataDirectory, string? postgres, Action<PlatformOptions>? configure = null, Action<ILoggingBuilder>? logging = null)
    {
        var options = new PlatformOptions
        {
            DataDirectory = dataDirectory,
            WorkRoot = Path.Combine(Path.GetDirectoryName(dataDirectory)!, "work"),
            Postgres = postgres,
            Urls = "http://127.0.0.1:0",
            Lease = TimeSpan.FromSeconds(3),
            Poll = TimeSpan.FromMilliseconds(100),
            InstanceName = $"test-{Guid.NewGuid():N}",
        };
        configure?.Invoke(options);
        var app = await PlatformHost.BuildAsync(options, builder =>
        {
            builder.ClearProviders();
            logging?.Invoke(builder);
        });
        await app.StartAsync();
        return new PlatformServer(app, options);
    }

    public HttpClient Client(string? token) => PlatformApi.Client(BaseAddress, token);

    /// <summary>Makes a token with a role through the API, as an admin does.</summary>
    public async Task<string> CreateTokenAsync(string name, string role)
    {
        using var admin = Client(AdminToken);
        return await PlatformApi.CreateTokenAsync(admin, name, role);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
