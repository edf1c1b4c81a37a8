using System.Diagnostics;
using System.Diagnostics.Metrics;
using Dapper;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Infrar.Platform.Service;

/// <summary>
/// The service's traces and metrics (OpenTelemetry), exported over OTLP when an endpoint is configured
/// (<see cref="PlatformOptions.OtlpEndpoint"/>, or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>):
/// <list type="bullet">
/// <item>traces: each HTTP request, each job a worker runs (<c>deployment plan</c>, <c>deployment apply</c>…) with its
/// steps as children (<c>build</c>, <c>image push</c>, <c>tofu plan</c>, <c>health check</c>);</item>
/// <item><c>infrar.deployments</c>: how many deployments are in each status now, by <c>status</c>;</item>
/// <item><c>infrar.jobs.queued</c>: how many jobs wait for a worker (the queue's depth);</item>
/// <item><c>infrar.deployment.transitions</c>: moves between states, by <c>from</c>, <c>to</c> and <c>kind</c>;</item>
/// <item><c>infrar.deployment.duration</c>: seconds from request to an ending state, by <c>kind</c> and <c>status</c>.</item>
/// </list>
/// </summary>
internal static partial class Telemetry
{
    public const string Name = "Infrar.Platform";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Transitions = Meter.CreateCounter<long>("infrar.deployment.transitions", description: "Deployments moved from one state to another.");

    private static readonly Histogram<double> Durations = Meter.CreateHistogram<double>("infrar.deployment.duration", "s", "Seconds from a deployment's request to its ending state.");

    private static Counts s_counts = new(new Dictionary<string, long>(), 0);

    static Telemetry()
    {
        Meter.CreateObservableGauge("infrar.deployments", () => s_counts.ByStatus.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("status", c.Key))),
            description: "Deployments in each status.");
        Meter.CreateObservableGauge("infrar.jobs.queued", () => s_counts.Queued, description: "Jobs waiting for a worker.");
    }

    /// <summary>Whether traces and metrics are exported: an endpoint is configured.</summary>
    public static bool Enabled(PlatformOptions options) =>
        !string.IsNullOrWhiteSpace(options.OtlpEndpoint) || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"));

    /// <summary>Counts a move, and a deployment's whole duration when the move ends it.</summary>
    public static void Moved(DeploymentRow deployment, string to)
    {
        Transitions.Add(1, new("from", deployment.Status), new("to", to), new("kind", deployment.Kind));
        if (DeploymentStatus.IsTerminal(to))
        {
            Durations.Record((Database.Now() - deployment.CreatedAt) / 1000.0, new("kind", deployment.Kind), new("status", to));
        }
    }

    /// <summary>Adds the exporters and the probe that keeps the gauges' counts, when telemetry is enabled.</summary>
    public static void Add(IServiceCollection services, PlatformOptions options)
    {
        if (!Enabled(options))
        {
            return;
        }

        // An endpoint set in code is used as it is, so each signal's path is added here, as the standard variable would.
        void Configure(OtlpExporterOptions otlp, string signal)
        {
            if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
            {
                otlp.Endpoint = new Uri(options.OtlpEndpoint.TrimEnd('/') + "/v1/" + signal);
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            }
        }

        var interval = (int)options.TelemetryInterval.TotalMilliseconds;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("infrar", serviceInstanceId: options.InstanceName))
            .WithTracing(tracing => tracing
                .AddSource(Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(otlp =>
                {
                    Configure(otlp, "traces");
                    otlp.BatchExportProcessorOptions.ScheduledDelayMilliseconds = interval;
                }))
            .WithMetrics(metrics => metrics
                .AddMeter(Name)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter((otlp, reader) =>
                {
                    Configure(otlp, "metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                }));
        services.AddHostedService(provider => new CountsProbe(provider.GetRequiredService<Database>(), options, provider.GetRequiredService<ILogger<CountsProbe>>()));
    }

    private sealed record Counts(IReadOnlyDictionary<string, long> ByStatus, long Queued);

    /// <summary>Reads the gauges' counts from the database at the export interval (a gauge's callback may not wait on it).</summary>
    private sealed partial class CountsProbe(Database database, PlatformOptions options, ILogger<CountsProbe> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await using var connection = await database.OpenAsync(stoppingToken);
                    var byStatus = (await connection.QueryAsync<(string Status, long Count)>("SELECT status, count(*) FROM deployments GROUP BY status"))
                        .ToDictionary(row => row.Status, row => row.Count, StringComparer.Ordinal);
                    var queued = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs WHERE state = 'queued'");
                    s_counts = new Counts(byStatus, queued);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogCountFailed(logger, e.Message);
                }

                await Task.Delay(options.TelemetryInterval, stoppingToken);
            }
        }

        [LoggerMessage(LogLevel.Warning, "Telemetry could not count deployments: {Message}")]
        private static partial void LogCountFailed(ILogger logger, string message);
    }
}
