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

    [Fact]
    public async Task Three_processes_receiving_from_one_queue_handle_each_message_once()
    {
        // The receivers first, so that they compete for the messages as they arrive.
        var logs = Enumerable.Range(1, 3).Select(i => Path.Combine(_root.FullName, $"consumer{i}.log")).ToList();
        var consumers = logs.Select(log => Worker.Start(_root.FullName, "consume", "jobs", log, "60", "yes")).ToList();
        foreach (var consumer in consumers)
        {
            await consumer.WaitUntilReadyAsync();
        }

        using (var sender = Worker.Start(_root.FullName, "send", "jobs", "150"))
        {
            await sender.WaitAsync(TimeSpan.FromMinutes(1));
        }

        var lines = await WaitForLinesAsync(logs, 150, TimeSpan.FromMinutes(1));
        await Task.Delay(1500); // a duplicate, had there been one, would arrive now
        consumers.ForEach(c => c.Kill());
        lines = ReadLines(logs);

        Assert.Equal(150, lines.Count);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => $"m{i}").Order(), lines.Select(l => l.Split(' ')[1]).Order());
        Assert.Equal(150, lines.Select(l => l.Split(' ')[0]).Distinct().Count());
    }

    [Fact]
    public async Task A_receiver_killed_while_holding_messages_loses_none_of_them()
    {
        using (var sender = Worker.Start(_root.FullName, "send", "held", "40"))
        {
            await sender.WaitAsync(TimeSpan.FromMinutes(1));
        }

        // The first receiver leases messages and never completes one; it is killed holding them.
        var holderLog = Path.Combine(_root.FullName, "holder.log");
        using (var holder = Worker.Start(_root.FullName, "consume", "held", holderLog, "2", "no"))
        {
            await WaitForLinesAsync([holderLog], 10, TimeSpan.FromMinutes(1));
            holder.Kill();
        }

        var finisherLog = Path.Combine(_root.FullName, "finisher.log");
        using var finisher = Worker.Start(_root.FullName, "consume", "held", finisherLog, "30", "yes");
        var lines = await WaitForLinesAsync([finisherLog], 40, TimeSpan.FromMinutes(1));
        finisher.Kill();

        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"m{i}").Order(), lines.Select(l => l.Split(' ')[1]).Distinct().Order());
        var held = ReadLines([holderLog]).Select(l => l.Split(' ')[0]).ToHashSet();
        Assert.Contains(lines, l => held.Contains(l.Split(' ')[0]) && int.Parse(l.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture) >= 2);
    }

    private static List<string> ReadLines(IEnumerable<string> logs) =>
        [.. logs.Where(File.Exists).SelectMany(log => File.ReadAllLines(log)).Where(l => l.Length > 0)];

    private static async Task<List<string>> WaitForLinesAsync(IReadOnlyList<string> logs, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ReadLines(logs) is var lines && lines.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {lines.Count} of {count} messages were received in {timeout}");
            await Task.Delay(100);
        }

        return ReadLines(logs);
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
