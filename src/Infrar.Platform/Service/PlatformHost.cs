using System.Threading.RateLimiting;
using Infrar.Platform.Api;
using Infrar.Platform.Dashboard;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Migrations;
using Infrar.Platform.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Infrar.Platform.Service;

/// <summary>Builds the service: its database (migrated before it listens), the sandbox, the worker, the API and the dashboard.</summary>
internal static class PlatformHost
{
    /// <summary>Background connections beyond one per job: the queue's poll, lease renewals, batched audit rows.</summary>
    public const int BackgroundConnections = 4;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static async Task<WebApplication> BuildAsync(PlatformOptions options, Action<ILoggingBuilder>? logging = null)
    {
        // The data folder holds the database, keys and admin token: only the service's user may enter it, even when
        // it existed before with wider permissions.
        Directory.CreateDirectory(options.DataDirectory);
        Directory.CreateDirectory(options.ProviderMirrorDirectory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(options.DataDirectory, OwnerOnly);
        }

        var database = string.IsNullOrWhiteSpace(options.Postgres)
            ? Database.Sqlite(options.DatabaseFile, options.DatabaseWait)
            : Database.Postgres(options.Postgres, options.DatabasePoolSize, options.DatabaseWait);
        if (database.Dialect == Dialect.Sqlite)
        {
            RestrictDatabaseFiles(options.DatabaseFile);
        }

        await MigrationRunner.ApplyAsync(database);
        var protector = CredentialProtector.FromEnvironmentOrFile(options.CredentialsKeyFile);
        await protector.EnsureSameKeyAsync(new PlatformStore(database));
        await new PlatformStore(database, protector).SealAtRestAsync(CancellationToken.None);
        var sandbox = await TofuSandbox.CreateAsync(options);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = options.DataDirectory });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024);
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        if (options.LogFormat == "json")
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(json => json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
        }

        logging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(sandbox);
        builder.Services.AddSingleton(new PlatformStore(database, protector));

        // Jobs, their logs and batched audit rows use connections of their own (see Database.ForBackground).
        var background = new PlatformStore(database.ForBackground(options.Jobs + BackgroundConnections), protector);
        builder.Services.AddSingleton(services => new JobQueue(background, options));
        builder.Services.AddSingleton(new MigrationStore(database));
        builder.Services.AddSingleton(protector);
        builder.Services.AddSingleton(_ => new TofuRunner(options.Tofu, sandbox));
        builder.Services.AddSingleton(services => new AnonymousAudit(background, options));
        builder.Services.AddHostedService(services => services.GetRequiredService<AnonymousAudit>());
        builder.Services.AddSingleton(services => new AuditQueue(background, services.GetRequiredService<ILogger<AuditQueue>>()));
        builder.Services.AddHostedService(services => services.GetRequiredService<AuditQueue>());
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer<BearerSecurityTransformer>());
        builder.Services.Configure<JsonOptions>(json => json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        builder.Services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        AddSecurity(builder.Services, options);
        Telemetry.Add(builder.Services, options);
        if (options.RunWorker)
        {
            builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<DeploymentWorker>(services, background));
            builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<MigrationWorker>(
                services, new MigrationStore(database.ForBackground(options.MigrationParallelism + 2)), background));
        }

        var app = builder.Build();
        app.UseStatusCodePages();
        app.Use(PlatformMiddleware.InvokeAsync);
        app.UseRouting();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.MapOpenApi("/openapi/v1.json");
        ApiEndpoints.Map(app);
        HealthEndpoints.Map(app);
        DashboardPages.Map(app);

        await EnsureAdminTokenAsync(app.Services.GetRequiredService<PlatformStore>(), options);
        return app;
    }

    /// <summary>
    /// Bearer tokens for the API and sessions for the dashboard, each only where it belongs; role policies; and a
    /// per-address limit on requests that carry no valid credential, answered with 429 and Retry-After.
    /// </summary>
    private static void AddSecurity(IServiceCollection services, PlatformOptions options)
    {
        services.AddAuthentication(authentication => authentication.DefaultScheme = "Infrar")
            .AddPolicyScheme("Infrar", "Bearer token for /api, session for the dashboard", scheme =>
                scheme.ForwardDefaultSelector = context => IsDashboard(context.Request.Path) ? Schemes.Session : Schemes.Bearer)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(Schemes.Bearer, null)
            .AddScheme<AuthenticationSchemeOptions, SessionHandler>(Schemes.Session, null);
        services.AddAuthorization(Authorization.AddPolicies);
        services.AddSingleton<IAuthorizationHandler, RoleRequirementHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, Authorization.ResultHandler>();
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.User.Identity?.IsAuthenticated == true
                    ? RateLimitPartition.GetNoLimiter("authenticated")
                    : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = options.AnonymousRequestLimit,
                        Window = options.AnonymousWindow,
                        QueueLimit = 0,
                    }));
            limiter.OnRejected = async (rejected, _) =>
            {
                var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : options.AnonymousWindow;
                rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: "Too many requests without a valid token from this address; wait, or send a token.").ExecuteAsync(rejected.HttpContext);
            };
        });
    }

    private static bool IsDashboard(PathString path) => path == "/" || path.StartsWithSegments("/ui", StringComparison.Ordinal);

    /// <summary>The SQLite file and its journals are the owner's alone, made so before SQLite first opens them.</summary>
    private static void RestrictDatabaseFiles(string databaseFile)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!File.Exists(databaseFile))
        {
            using var created = new FileStream(databaseFile, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }

        foreach (var file in new[] { databaseFile, databaseFile + "-wal", databaseFile + "-shm", databaseFile + "-journal" }.Where(File.Exists))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
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
