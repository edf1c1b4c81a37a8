using System.Diagnostics;

namespace Infrar.Platform.Deployments;

/// <summary>
/// Runs the OpenTofu binary: <c>tofu</c> when it is on PATH, else <c>terraform</c>, or the path configured as
/// <c>Infrar:Tofu</c>. Every command runs with -input=false in the deployment's working directory; credentials reach
/// the process only as environment variables.
/// </summary>
internal sealed class TofuRunner
{
    private readonly string _executable;

    public TofuRunner(string? configured)
    {
        _executable = !string.IsNullOrWhiteSpace(configured)
            ? configured
            : FindOnPath("tofu") ?? FindOnPath("terraform")
              ?? throw new InvalidOperationException("Neither tofu nor terraform is on PATH; install OpenTofu, or set Infrar:Tofu to the binary's path.");
    }

    public string Executable => _executable;

    /// <summary>Runs one command, handing each output line to <paramref name="onLine"/>; returns the exit code.</summary>
    public async Task<int> RunAsync(
        string workingDirectory,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        Func<string, Task> onLine,
        CancellationToken cancellationToken,
        Stream? standardOutput = null)
    {
        var start = new ProcessStartInfo(_executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TF_IN_AUTOMATION"] = "1";
        start.Environment["TF_INPUT"] = "0";
        start.Environment["CHECKPOINT_DISABLE"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {_executable}.");
        using var kill = cancellationToken.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        });

        var gate = new SemaphoreSlim(1, 1);
        async Task Forward(string line)
        {
            await gate.WaitAsync(CancellationToken.None);
            try
            {
                await onLine(line);
            }
            finally
            {
                gate.Release();
            }
        }

        var errors = PumpAsync(process.StandardError, Forward);
        Task output = standardOutput is null
            ? PumpAsync(process.StandardOutput, Forward)
            : process.StandardOutput.BaseStream.CopyToAsync(standardOutput, CancellationToken.None);
        await Task.WhenAll(errors, output);
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        return process.ExitCode;
    }

    private static async Task PumpAsync(StreamReader reader, Func<string, Task> onLine)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            await onLine(line);
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
