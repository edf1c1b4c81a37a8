using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// What a run prints is decided by whoever submitted the infrastructure: a plan's JSON past 64 MiB stops the run
/// (the service would otherwise hold it all in memory and store it), and a log line past 16 KiB is cut.
/// </summary>
public sealed class RunOutputLimitTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-output-limit-");

    [Fact]
    public async Task A_plan_printing_more_than_64_MiB_fails_the_deployment_and_a_very_long_line_is_cut()
    {
        // OpenTofu, as a submission could make it print: one enormous line while planning, then an endless plan.
        var tofu = Path.Combine(_root.FullName, "loud-tofu");
        File.WriteAllText(tofu, """
            #!/bin/sh
            case "$1" in
              init) echo "stand-in: initialized" ;;
              plan) : > tfplan; head -c 100000 /dev/zero | tr '\0' 'x'; echo; echo "stand-in: planned" ;;
              show) head -c 80000000 /dev/zero | tr '\0' 'y' ;;
            esac

            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(tofu, (UnixFileMode)0b111_101_101);
        await using var server = await PlatformServer.StartAsync(Path.Combine(_root.FullName, "data"), null, options => options.Tofu = tofu);
        using var admin = server.Client(server.AdminToken);
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "loud", "dev", Path.Combine(_root.FullName, "buckets"));

        var id = (await PlatformApi.DeployAsync(admin, environment)).GetProperty("id").GetInt64();
        var failed = await PlatformApi.WaitForAsync(admin, id, "failed");
        Assert.Equal("tofu show exited with 125; see the log", failed.GetProperty("failure").GetString());
        var log = await admin.GetStringAsync($"/api/deployments/{id}/log");
        Assert.Contains("infrar: show wrote more than 64 MiB of output, more than any plan or outputs this service keeps; it was stopped", log, StringComparison.Ordinal);
        var cut = log.Split('\n').Single(line => line.StartsWith("xxx", StringComparison.Ordinal));
        Assert.Equal(16 * 1024 + "… (cut at 16384 characters)".Length, cut.Length);
        Assert.Contains("stand-in: planned", log, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, (await admin.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}")).GetProperty("plan").ValueKind);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
