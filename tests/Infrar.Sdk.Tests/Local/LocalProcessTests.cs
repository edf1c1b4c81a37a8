using System.Diagnostics;
using Infrar.Testing;
using Xunit;

namespace Infrar.Sdk.Tests.Local;

/// <summary>
/// The local provider across real processes: writers in several processes share its locks, and a writer killed at any
/// moment leaves each object whole, with the content type and metadata of the write that produced its content.
/// </summary>
public sealed class LocalProcessTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-processes-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Four_processes_writing_the_same_keys_leave_each_object_with_its_own_writes_metadata()
    {
        var writers = Enumerable.Range(1, 4).Select(i => Worker.Start(_root.FullName, "write", $"w{i}", "shared", "100", "3")).ToList();
        foreach (var writer in writers)
        {
            await writer.WaitAsync(TimeSpan.FromMinutes(3));
        }

        await AssertEveryObjectIsConsistentAsync("shared", expected: 100);
    }

    [Fact]
    public async Task Writers_killed_mid_write_leave_every_object_consistent_and_their_temporary_files_are_cleaned_up()
    {
        var random = new Random(12);
        for (var kill = 0; kill < 30; kill++)
        {
            using var writer = Worker.Start(_root.FullName, "write", $"k{kill}", "crash", "20", "0");
            await writer.WaitUntilReadyAsync();
            await Task.Delay(random.Next(30, 250));
            writer.Kill();
        }

        await AssertEveryObjectIsConsistentAsync("crash", expected: null);

        // The next process to write removes what the killed ones left in progress.
        using (var cleaner = Worker.Start(_root.FullName, "write", "cleaner", "other", "1", "1"))
        {
            await cleaner.WaitAsync(TimeSpan.FromMinutes(1));
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(_root.FullName, ".infrar", "tmp")));
    }

    /// <summary>Every object's content names the write that made it; its content type and metadata must name the same one.</summary>
    private async Task AssertEveryObjectIsConsistentAsync(string bucket, int? expected)
    {
        if (expected is { } count)
        {
            Assert.Equal(count, Directory.GetFiles(Path.Combine(_root.FullName, bucket)).Length);
        }

        using var check = Worker.Start(_root.FullName, "check", bucket);
        await check.WaitAsync(TimeSpan.FromMinutes(2));
    }

    /// <summary>tests/Infrar.LocalStoreWorker in its own process, on a local root of the test's.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly Process _process;
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Text.StringBuilder _output = new();

        private Worker(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) =>
            {
                lock (_output)
                {
                    _output.AppendLine(e.Data);
                }

                if (e.Data == "ready")
                {
                    _ready.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                lock (_output)
                {
                    _output.AppendLine(e.Data);
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        private static string Program { get; } = Path.Combine(
            RepositoryRoot.Path, "tests", "Infrar.LocalStoreWorker", "bin",
            AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug",
            "net10.0", "Infrar.LocalStoreWorker.dll");

        public static Worker Start(string root, params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Program);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["INFRAR_LOCAL_ROOT"] = root;
            return new Worker(Process.Start(start)!);
        }

        public async Task WaitUntilReadyAsync() => await _ready.Task.WaitAsync(TimeSpan.FromMinutes(1));

        public async Task WaitAsync(TimeSpan timeout)
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            string output;
            lock (_output)
            {
                output = _output.ToString();
            }

            Assert.True(_process.ExitCode == 0, $"the worker failed:\n{output}");
        }

        /// <summary>SIGKILL: no finally block, no flush, as a crash or the OOM killer.</summary>
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
    }
}
