using System.Text;
using Infrar.Platform;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// The service's OpenTelemetry: with an OTLP endpoint configured, a deployment's job and its steps arrive as traces,
/// and the deployments by status, the queue's depth, the transitions and the durations as metrics, over OTLP/HTTP. The
/// collector is a loopback listener that keeps what it is sent; OTLP's protobuf carries names as UTF-8, so they are
/// found in the bodies without decoding them.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-telemetry-");

    [Fact]
    public async Task With_an_OTLP_endpoint_the_service_exports_its_deployments_traces_and_metrics()
    {
        using var collector = new Collector();
        var standIn = StandInTofu.Write(_root.FullName, TimeSpan.FromMilliseconds(100));
        await using var server = await PlatformServer.StartAsync(Path.Combine(_root.FullName, "data"), null, options =>
        {
            options.Tofu = standIn;
            options.OtlpEndpoint = $"http://127.0.0.1:{collector.Port}";
            options.TelemetryInterval = TimeSpan.FromMilliseconds(500);
        });
        using var admin = server.Client(server.AdminToken);
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "telemetry", "dev", Path.Combine(_root.FullName, "buckets"));
        var deployment = await PlatformApi.DeployAsync(admin, environment);
        await PlatformApi.WaitForAsync(admin, deployment.GetProperty("id").GetInt64(), "succeeded");

        var traces = await collector.WaitForAsync("/v1/traces", "deployment plan", "tofu plan", "tofu apply", "infrar.deployment.id", "/api/environments/{id:long}/deployments");
        var metrics = await collector.WaitForAsync("/v1/metrics", "infrar.deployment.duration", "infrar.deployment.transitions", "infrar.deployments", "infrar.jobs.queued", "succeeded");
        Assert.Contains("infrar", traces, StringComparison.Ordinal);
        Assert.Contains("applying", metrics, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);

    /// <summary>An OTLP/HTTP collector on a loopback port: answers 200 to every export and keeps each body by path.</summary>
    private sealed class Collector : IDisposable
    {
        private readonly LoopbackHttpServer _server = new(_ => 200);

        public int Port => _server.Port;

        /// <summary>Waits until the bodies sent to <paramref name="path"/> hold every one of the names; all of them, joined.</summary>
        public async Task<string> WaitForAsync(string path, params string[] names)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                var received = _server.Received;
                var all = string.Concat(received.Where(r => r.Path == path).Select(r => Encoding.UTF8.GetString(r.Body)));
                var missing = names.Where(name => !all.Contains(name, StringComparison.Ordinal)).ToList();
                if (missing.Count == 0)
                {
                    return all;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{path} never carried {string.Join(", ", missing)}; received {string.Join(", ", received.Select(r => r.Path))}");
                await Task.Delay(200);
            }
        }

        public void Dispose() => _server.Dispose();
    }
}
