using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Infrar.Platform;
using Infrar.Platform.Deployments;
using Infrar.Platform.Tests.Migrations;
using Infrar.Platform.Tests.Service;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Deployments;

/// <summary>
/// The health check after an apply: the service asks the URL the hosting's output holds (the catalog names it: Cloud
/// Run's <c>service_url</c> here) at the environment's health path until the app answers, and marks the deployment
/// unhealthy when it never does. No cloud runs here: the stand-in OpenTofu answers the output, and the app is a local
/// HTTP server that answers what each test tells it to.
/// </summary>
public sealed class HealthCheckTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-health-");

    [Fact]
    public async Task A_deployment_succeeds_once_the_app_answers_at_its_health_path_and_is_unhealthy_when_it_never_does()
    {
        using var app = new App(failFirst: 3);
        await using var server = await StartAsync(allowPrivate: true, timeout: TimeSpan.FromSeconds(6));
        using var admin = server.Client(server.AdminToken);
        var environment = await CreateGcpEnvironmentAsync(admin, "photos", "/ready");

        var healthy = await DeployAsync(admin, environment, $"http://127.0.0.1:{app.Port}/");
        var done = await PlatformApi.WaitForAsync(admin, healthy, "succeeded");
        var health = done.GetProperty("health");
        Assert.True(health.GetProperty("healthy").GetBoolean());
        Assert.Equal($"http://127.0.0.1:{app.Port}/ready", health.GetProperty("url").GetString());
        Assert.Equal(4, health.GetProperty("checks").GetInt32());
        Assert.Equal(["/ready", "/ready", "/ready", "/ready"], app.Paths);
        var log = await admin.GetStringAsync($"/api/deployments/{healthy}/log");
        Assert.Contains($"http://127.0.0.1:{app.Port}/ready: 503 Service Unavailable (check 1", log, StringComparison.Ordinal);
        Assert.Contains("answered 200 OK", log, StringComparison.Ordinal);

        // An app that never answers below 400: applied, but unhealthy, and said so.
        app.FailFirst = int.MaxValue;
        var sick = await DeployAsync(admin, environment, $"http://127.0.0.1:{app.Port}/");
        var ended = await PlatformApi.WaitForAsync(admin, sick, "unhealthy");
        Assert.False(ended.GetProperty("health").GetProperty("healthy").GetBoolean());
        Assert.Contains("503 Service Unavailable; not healthy within 6 s", ended.GetProperty("health").GetProperty("detail").GetString(), StringComparison.Ordinal);
        var transitions = await admin.GetFromJsonAsync<JsonElement[]>($"/api/deployments/{sick}/transitions");
        Assert.Equal(["queued", "planning", "applying", "unhealthy"], transitions!.Select(t => t.GetProperty("to").GetString()));
    }

    [Fact]
    public async Task The_URL_comes_from_the_deployments_own_OpenTofu_so_the_service_does_not_ask_its_own_network_unless_allowed()
    {
        using var app = new App(failFirst: 0);
        await using var server = await StartAsync(allowPrivate: false, timeout: TimeSpan.FromSeconds(3));
        using var admin = server.Client(server.AdminToken);
        var environment = await CreateGcpEnvironmentAsync(admin, "photos", null);

        var deployment = await DeployAsync(admin, environment, $"http://127.0.0.1:{app.Port}/");
        var ended = await PlatformApi.WaitForAsync(admin, deployment, "unhealthy");
        Assert.Contains("127.0.0.1, on this machine or a private network, which the health check does not ask", ended.GetProperty("health").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(app.Paths);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.20.0.1", true)]
    [InlineData("192.168.0.10", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00:ec2::254", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("2001:4860:4860::8888", false)]
    public void Private_and_metadata_addresses_are_told_apart_from_public_ones(string address, bool isPrivate) =>
        Assert.Equal(isPrivate, HealthCheck.IsPrivate(IPAddress.Parse(address)));

    private static async Task<long> CreateGcpEnvironmentAsync(HttpClient admin, string project, string? healthPath)
    {
        var created = await admin.PostAsJsonAsync("/api/projects", new { name = project });
        var projectId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var environment = await admin.PostAsJsonAsync($"/api/projects/{projectId}/environments", new
        {
            name = "prod",
            provider = "gcp",
            state = MigrationData.State("gcp"),
            image = new { registry = "us-docker.pkg.dev/photos-project/apps", healthPath },
        });
        Assert.Equal(HttpStatusCode.Created, environment.StatusCode);
        return (await environment.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private static async Task<long> DeployAsync(HttpClient admin, long environment, string url)
    {
        var infra = StandInTofu.InfraWithOutputs(new Dictionary<string, string> { ["service_url"] = url, ["bucket_files"] = "photos-files" });
        var response = await admin.PostAsJsonAsync($"/api/environments/{environment}/deployments", new { infra, manifest = MigrationData.Manifest("gcp", "files") });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private async Task<PlatformServer> StartAsync(bool allowPrivate, TimeSpan timeout)
    {
        var standIn = StandInTofu.WriteWithOutputs(_root.FullName);
        return await PlatformServer.StartAsync(Path.Combine(_root.FullName, "data"), null, options =>
        {
            options.Tofu = standIn;
            options.HealthAllowPrivateAddresses = allowPrivate;
            options.HealthPoll = TimeSpan.FromMilliseconds(200);
            options.HealthTimeout = timeout;
        });
    }

    public void Dispose() => _root.Delete(recursive: true);

    /// <summary>An app on a loopback port that answers 503 to its first requests and 200 after, recording the paths asked.</summary>
    private sealed class App : IDisposable
    {
        private readonly LoopbackHttpServer _server;

        public App(int failFirst)
        {
            FailFirst = failFirst;
            _server = new LoopbackHttpServer(n => n < FailFirst ? 503 : 200);
        }

        public int Port => _server.Port;

        public int FailFirst { get; set; }

        public List<string> Paths => [.. _server.Received.Select(r => r.Path)];

        public void Dispose() => _server.Dispose();
    }
}
