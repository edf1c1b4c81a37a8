using System.Net;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// <c>infrar serve</c> takes its settings from appsettings.json (the <c>Infrar</c> section, in the data folder) and
/// <c>INFRAR__*</c> variables, the variables winning, and refuses a configuration it cannot read.
/// </summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-configuration-");

    [Fact]
    public async Task Settings_come_from_appsettings_then_infrar_variables_and_a_broken_file_is_refused()
    {
        var data = Directory.CreateDirectory(Path.Combine(_root.FullName, "data")).FullName;
        File.WriteAllText(Path.Combine(data, "appsettings.json"), """{ "Infrar": { "AnonymousRequestLimit": 50, "AnonymousWindow": "00:01:00" } }""");

        // The file allows 50 requests a minute without a token; the variable, which wins, 2.
        using (var service = await ServiceProcess.ServeAsync(data, new Dictionary<string, string> { ["INFRAR__AnonymousRequestLimit"] = "2" }))
        {
            using var anonymous = PlatformApi.Client(service.BaseAddress, null);
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 3; i++)
            {
                statuses.Add((await anonymous.GetAsync("/api/projects")).StatusCode);
            }

            Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        }

        File.WriteAllText(Path.Combine(data, "appsettings.json"), """{ "Infrar": { "Jobs": "many" } }""");
        var refused = await ServiceProcess.RunAsync(["serve", "--data", data, "--urls", "http://127.0.0.1:0"]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("infrar serve: the configuration cannot be read", refused.Output, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(data, "appsettings.json"), """{ "Infrar": { "OtlpEndpoint": "collector:4318" } }""");
        var unreachable = await ServiceProcess.RunAsync(["serve", "--data", data, "--urls", "http://127.0.0.1:0"]);
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("infrar serve: OtlpEndpoint 'collector:4318' is not an http:// or https:// URL", unreachable.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
