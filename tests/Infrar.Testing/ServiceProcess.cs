using System.Diagnostics;
using System.Text;
namespace Infrar.Testing;

/// <summary>
/// The infrar program as users run it, in its own process: <c>infrar serve</c>, or a CLI command. The program is the
/// infrar.dll built beside the running tests or benchmark (which reference src/Infrar.Platform).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The built infrar.dll of src/Infrar.Platform, in the configuration the caller was built in.</summary>
    public static string Program { get; } = Path.Combine(AppContext.BaseDirectory, "infrar.dll");

    public static Task<ServiceProcess> ServeAsync(string dataDirectory, params string[] extra) =>
        ServeAsync(dataDirectory, new Dictionary<string, string>(), extra);

    /// <summary>Starts <c>infrar serve</c> with extra environment variables, and waits until it listens.</summary>
    public static async Task<ServiceProcess> ServeAsync(string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] extra)
    {
        var port = FreePort.Next();
        var start = Start(["serve", "--data", dataDirectory, "--urls", $"http://127.0.0.1:{port}", .. extra]);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var service = new ServiceProcess(process, port);
        await FreePort.WaitUntilListeningAsync(port, "infrar serve", TimeSpan.FromSeconds(60), () => service.Output, () => process.HasExited);
        return service;
    }

    /// <summary>Runs one CLI command to its end.</summary>
    public static Task<CommandResult> RunAsync(params string[] arguments) => RunAsync(new Dictionary<string, string>(), arguments);

    /// <summary>Runs one CLI command to its end, with extra environment variables.</summary>
    public static async Task<CommandResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = Start(arguments);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CommandResult(process.ExitCode, await output + await error);
    }

    /// <summary>The service's own process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>SIGKILL to the service process alone, as the OOM killer sends it: what it started must die by itself.</summary>
    public void KillServiceOnly()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>Kills the service and every process it started.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo Start(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return start;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
