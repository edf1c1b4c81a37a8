using Infrar.Platform.Deployments;
using Infrar.Platform.Policies;
using Xunit;

namespace Infrar.Platform.Tests.Deployments;

/// <summary>
/// The sandbox holds on its own, even for infrastructure the policy would refuse: the runner is called directly, as if
/// the policy had been bypassed, and the run still cannot see the service's data folder or act as the service's user.
/// </summary>
public sealed class SandboxTests : IDisposable
{
    private const string Token = "infrar_the-admin-token-the-run-must-not-see";
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-sandbox-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task A_plan_cannot_read_the_data_folder_with_file()
    {
        var (options, runner) = await CreateAsync(tofu: null);
        var output = await RunAsync(options, runner, ["init", "-input=false", "-no-color"], $$"""
            output "loot" {
              value = file("{{Path.Combine(options.DataDirectory, "admin-token")}}")
            }
            """);
        Assert.Equal(0, output.Exit);

        var plan = await RunAsync(options, runner, ["plan", "-input=false", "-no-color"], null, output.Workspace);
        Assert.NotEqual(0, plan.Exit);
        Assert.Contains("no file exists at", plan.Text.Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, plan.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_in_the_sandbox_sees_only_its_copy_and_the_system_and_is_not_the_service_s_user()
    {
        var probe = Path.Combine(_root.FullName, "probe");
        File.WriteAllText(probe, """
            #!/bin/sh
            echo "uid=$(id -u)"
            cat "$1/admin-token" 2>&1 || echo "token: unreadable"
            ls "$1" 2>&1 || echo "data: unreachable"
            ls /proc | grep -c '^[0-9]' | sed 's/^/processes=/'
            touch /usr/pwned 2>&1 || echo "usr: read-only"
            echo "env: $(env | grep -c INFRAR_)"
            touch "$PWD/written" && echo "copy: writable"

            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(probe, (UnixFileMode)0b111_101_101);
        var (options, runner) = await CreateAsync(probe);
        Environment.SetEnvironmentVariable("INFRAR_SERVICE_SECRET", "only-the-service-has-it");
        try
        {
            var run = await RunAsync(options, runner, [options.DataDirectory], "");
            Assert.Equal(0, run.Exit);
            Assert.DoesNotContain(Token, run.Text, StringComparison.Ordinal);
            Assert.Contains("token: unreadable", run.Text, StringComparison.Ordinal);
            Assert.Contains("data: unreachable", run.Text, StringComparison.Ordinal);
            Assert.Contains("usr: read-only", run.Text, StringComparison.Ordinal);
            Assert.Contains("env: 0", run.Text, StringComparison.Ordinal);
            Assert.Contains("copy: writable", run.Text, StringComparison.Ordinal);
            // Its own process namespace: the sandbox, the shell and the commands it runs, nothing of the host.
            Assert.InRange(int.Parse(System.Text.RegularExpressions.Regex.Match(run.Text, @"processes=(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1, 6);
            if (Environment.IsPrivilegedProcess)
            {
                Assert.Contains("uid=65534", run.Text, StringComparison.Ordinal);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("INFRAR_SERVICE_SECRET", null);
        }
    }

    private async Task<(PlatformOptions Options, TofuRunner Runner)> CreateAsync(string? tofu)
    {
        var options = new PlatformOptions { DataDirectory = Path.Combine(_root.FullName, "data"), WorkRoot = Path.Combine(_root.FullName, "work") };
        Directory.CreateDirectory(options.DataDirectory);
        File.WriteAllText(Path.Combine(options.DataDirectory, "admin-token"), Token);
        return (options, new TofuRunner(tofu, await TofuSandbox.CreateAsync(options)));
    }

    private static async Task<(int Exit, string Text, RunWorkspace Workspace)> RunAsync(
        PlatformOptions options, TofuRunner runner, string[] arguments, string? mainTf, RunWorkspace? workspace = null)
    {
        workspace ??= RunWorkspace.Create(options, runner.Sandbox, ProviderAllowlist.Catalog, 1);
        if (mainTf is not null)
        {
            workspace.Write("main.tf", mainTf);
        }

        var text = new System.Text.StringBuilder();
        var run = new TofuRun(workspace.Directory, [new SandboxMount(workspace.Directory, Writable: true)], new Dictionary<string, string> { ["TF_CLI_CONFIG_FILE"] = "/dev/null" });
        var exit = await runner.RunAsync(run, arguments, line => { text.AppendLine(line); return Task.CompletedTask; }, CancellationToken.None);
        return (exit, text.ToString(), workspace);
    }
}
