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
        return await RunProgramAsync(Executable, run with { Environment = environment }, arguments, onLine, cancellationToken, standardOutput, onStarted);
    }

    /// <summary>Runs another program (git, dotnet) the same way: in the sandbox, lines handed over, killed on cancel.</summary>
    public async Task<int> RunProgramAsync(
        string executable,
        TofuRun run,
        IReadOnlyList<string> arguments,
        Func<string, Task> onLine,
        CancellationToken cancellationToken,
        Stream? standardOutput = null,
        Func<ProcessIdentity, Task>? onStarted = null)
    {
        var start = Sandbox.Prepare(executable, arguments, run.WorkingDirectory, run.Mounts, run.Environment);
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
        var output = standardOutput is null
            ? PumpAsync(process.StandardOutput, Forward).ContinueWith(_ => false, TaskScheduler.Default)
            : CaptureAsync(process, standardOutput);
        await Task.WhenAll(errors, output);
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        if (await output)
        {
            await onLine($"infrar: {arguments[0]} wrote more than {MaxCapturedBytes >> 20} MiB of output, more than any plan or outputs this service keeps; it was stopped");
            return CapturedTooMuch;
        }

        return process.ExitCode;
    }

    /// <summary>The most a command's captured output (a plan's or the outputs' JSON) may be: submitted infrastructure decides its size.</summary>
    public const int MaxCapturedBytes = 64 << 20;

    /// <summary>The longest log line kept whole; a longer one is cut, so no line a run prints is held whole in memory.</summary>
    public const int MaxLineChars = 16 * 1024;

    /// <summary>The exit code a run gets when its captured output passed <see cref="MaxCapturedBytes"/>.</summary>
    public const int CapturedTooMuch = 125;

    /// <summary>Copies the output up to the cap; past it, kills the run and drains the rest. True when the cap was passed.</summary>
    private static async Task<bool> CaptureAsync(System.Diagnostics.Process process, Stream destination)
    {
        var buffer = new byte[81920];
        long total = 0;
        var exceeded = false;
        int read;
        while ((read = await process.StandardOutput.BaseStream.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            total += read;
            if (exceeded)
            {
                continue;
            }

            if (total > MaxCapturedBytes)
            {
                exceeded = true;
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It ended meanwhile.
                }

                continue;
            }

            await destination.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None);
        }

        return exceeded;
    }

    /// <summary>Hands over each line, cutting one longer than <see cref="MaxLineChars"/> (the rest of it is dropped).</summary>
    private static async Task PumpAsync(StreamReader reader, Func<string, Task> onLine)
    {
        var buffer = new char[8192];
        var line = new System.Text.StringBuilder();
        var cut = false;
        int read;
        while ((read = await reader.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == '\n')
                {
                    await onLine(Finish(line, cut));
                    cut = false;
                }
                else if (line.Length < MaxLineChars)
                {
                    line.Append(buffer[i]);
                }
                else
                {
                    cut = true;
                }
            }
        }

        if (line.Length > 0 || cut)
        {
            await onLine(Finish(line, cut));
        }

        static string Finish(System.Text.StringBuilder line, bool cut)
        {
            if (line.Length > 0 && line[^1] == '\r')
            {
                line.Length--;
            }

            var text = cut ? line + $"… (cut at {MaxLineChars} characters)" : line.ToString();
            line.Clear();
            return text;
        }
    }
}
