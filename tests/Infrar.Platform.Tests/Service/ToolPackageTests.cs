using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// <c>infrar</c> is a .NET tool a team installs: packed from this repository into a feed of its own, installed with
/// <c>dotnet tool install</c> into a folder of its own (as on a machine that never saw the repository), it runs.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-tool-");

    [Fact]
    public async Task The_packed_tool_installs_with_dotnet_tool_install_and_its_commands_run()
    {
        var version = $"0.1.0-tool.{DateTime.UtcNow:yyyyMMddHHmmss}";
        var feed = Path.Combine(_root.FullName, "feed");
        var pack = await Dotnet.RunAsync(RepositoryRoot.Path, "pack", "src/Infrar.Platform", "-c", "Release", "-nologo", "-o", feed, $"-p:Version={version}");
        Assert.True(pack.ExitCode == 0, pack.Output);
        Assert.True(File.Exists(Path.Combine(feed, $"Infrar.{version}.nupkg")), string.Join(", ", Directory.GetFiles(feed)));

        var tools = Path.Combine(_root.FullName, "tools");
        var install = await Dotnet.RunAsync(_root.FullName, "tool", "install", "infrar", "--tool-path", tools, "--add-source", feed, "--version", version);
        Assert.True(install.ExitCode == 0, install.Output);
        Assert.Contains("infrar", install.Output, StringComparison.Ordinal);

        var help = await Processes.RunAsync(Path.Combine(tools, "infrar"), _root.FullName, "--help");
        Assert.True(help.ExitCode == 0, help.Output);
        foreach (var command in new[] { "serve", "deploy", "migrate", "cost" })
        {
            Assert.Contains(command, help.Output, StringComparison.Ordinal);
        }

        // A command that needs the service says where it looked when none answers.
        var status = await Processes.RunAsync(Path.Combine(tools, "infrar"), _root.FullName, "status", "1", "--server", "http://127.0.0.1:9", "--token", "none");
        Assert.NotEqual(0, status.ExitCode);
        Assert.Contains("127.0.0.1:9", status.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
