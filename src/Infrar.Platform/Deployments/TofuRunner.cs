namespace Infrar.Platform.Deployments;

/// <summary>What one job gives each command it runs: where, which folders the sandbox sees, and the environment.</summary>
internal sealed record TofuRun(string WorkingDirectory, IReadOnlyList<SandboxMount> Mounts, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// Runs the OpenTofu binary: <c>tofu</c> when it is on PATH, else <c>terraform</c>, or the path configured as
/// <c>Infrar:Tofu</c>; always inside the <see cref="TofuSandbox"/>, with -input=false, in the job's working copy.
/// Credentials reach the process only as environment variables. Cancelling kills the whole process tree.
/// </summary>
internal sealed class TofuRunner
{
    public TofuRunner(string? configured, TofuSandbox sandbox)
    {
        Executable = !string.IsNullOrWhiteSpace(configured)
            ? Path.GetFullPath(configured)
            : TofuSandbox.FindOnPath("tofu") ?? TofuSandbox.FindOnPath("terraform")
              ?? throw new InvalidOperationException("Neither tofu nor terraform is on PATH; install OpenTofu, or set Infrar:Tofu to the binary's path.");
        Sandbox = sandbox;
    }

    public string Executable { get; }

    public TofuSandbox Sandbox { get; }

    /// <summary>
    /// Runs one command, handing each output line to <paramref name="onLine"/> and the started process to
    /// <paramref name="onStarted"/> (so it can be recorded and, after a crash, killed); returns the exit code.
    /// </summary>
    public async Task<int> RunAsync(
        TofuRun run,
        IReadOnlyList<string> arguments,
        Func<string, Task> onLine,
        CancellationToken cancellationToken,
        Stream? standardOutput = null,
        Func<ProcessIdentity, Task>? onStarted = null)
    {
        var environment = new Dictionary<string, string>(run.Environment, StringComparer.Ordinal)
        {
            ["TF_IN_AUTOMATION"] = "1",
            ["TF_INPUT"] = "0",
            ["CHECKPOINT_DISABLE"] = "1",
        };
        var start = Sandbox.Prepare(Executable, arguments, run.WorkingDirectory, run.Mounts, environment);
        using var process = await ProcessLauncher.StartAsync(start);
        process.StandardInput.Close();
        var identity = ProcessIdentity.Of(process.Id);
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

        if (identity is not null && onStarted is not null)
        {
            await onStarted(identity);
        }

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
}
