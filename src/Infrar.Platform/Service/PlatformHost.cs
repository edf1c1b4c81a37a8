using Infrar.Platform.Api;
using Infrar.Platform.Dashboard;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Infrar.Platform.Service;

/// <summary>Builds the service: its database (migrated before it listens), the worker, the API and the dashboard.</summary>
internal static class PlatformHost
{
    public static async Task<WebApplication> BuildAsync(PlatformOptions options, Action<ILoggingBuilder>? logging = null)
    {
        // The data folder holds the database, keys and state: only the service's user may enter it.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(options.DataDirectory);
        }
        else
        {
            Directory.CreateDirectory(options.DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var database = string.IsNullOrWhiteSpace(options.Postgres) ? Database.Sqlite(options.DatabaseFile) : Database.Postgres(options.Postgres);
        await MigrationRunner.ApplyAsync(database);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = options.DataDirectory });
        builder.WebHost.UseUrls(options.Urls);
        logging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton<PlatformStore>();
        builder.Services.AddSingleton<JobQueue>();
        builder.Services.AddSingleton(_ => CredentialProtector.FromEnvironmentOrFile(options.CredentialsKeyFile));
        builder.Services.AddSingleton(_ => new TofuRunner(options.Tofu));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        if (options.RunWorker)
        {
            builder.Services.AddHostedService<DeploymentWorker>();
        }

        var app = builder.Build();
        app.UseStatusCodePages();
        app.Use(PlatformMiddleware.InvokeAsync);
        app.MapOpenApi("/openapi/v1.json");
        ApiEndpoints.Map(app);
        DashboardPages.Map(app);

        await EnsureAdminTokenAsync(app.Services.GetRequiredService<PlatformStore>(), options);
        return app;
    }

    /// <summary>
    /// On a database with no token, makes the first admin token and writes it to a file only the service's user can
    /// read: the token is never printed or logged.
    /// </summary>
    private static async Task EnsureAdminTokenAsync(PlatformStore store, PlatformOptions options)
    {
        if (await store.CountTokensAsync(CancellationToken.None) > 0)
        {
            return;
        }

        var token = ApiTokens.Create();
        try
        {
            await store.CreateTokenAsync("admin", Roles.Admin, ApiTokens.Hash(token), CancellationToken.None);
        }
        catch (ConflictException)
        {
            // Another instance sharing the database made it first; its data folder holds the token.
            return;
        }

        SecretFile.Write(options.AdminTokenFile, token);
        await store.AppendAuditAsync("service", "token.bootstrap", "token/admin", $"written to {options.AdminTokenFile}", CancellationToken.None);
    }
}
