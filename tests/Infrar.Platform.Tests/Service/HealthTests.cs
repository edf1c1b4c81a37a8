using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>What a load balancer asks, without a token: is the process up, and can it do its work.</summary>
public sealed class HealthTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-health-");

    [Fact]
    public async Task Healthz_answers_while_serving_and_readyz_names_what_is_missing()
    {
        await using (var ready = await PlatformServer.StartAsync(Path.Combine(_root.FullName, "ready"), null))
        {
            using var anonymous = ready.Client(null);
            Assert.Equal("ok\n", await anonymous.GetStringAsync("/healthz"));
            var checks = await anonymous.GetFromJsonAsync<Dictionary<string, string>>("/readyz");
            Assert.Equal(new Dictionary<string, string> { ["database"] = "ok", ["tofu"] = "ok" }, checks);
        }

        await using var withoutTofu = await PlatformServer.StartAsync(Path.Combine(_root.FullName, "no-tofu"), null, options =>
        {
            options.Tofu = Path.Combine(_root.FullName, "no-such-tofu");
            options.RunWorker = false;
        });
        using var client = withoutTofu.Client(null);
        var response = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("ok", "missing"), (body.GetProperty("database").GetString(), body.GetProperty("tofu").GetString()));
        Assert.DoesNotContain("no-such-tofu", body.ToString(), StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
