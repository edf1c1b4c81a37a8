using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Infrar.Platform.Deployments;

/// <summary>
/// Starts child processes from one thread that lives as long as the service. The sandbox asks the kernel to kill it
/// when its parent dies (PR_SET_PDEATHSIG), and the kernel takes "parent" to mean the thread that forked it: a thread
/// pool thread that retires would kill a running apply. This thread never retires.
/// </summary>
internal static class ProcessLauncher
{
    private static readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process> Started)> Requests = [];

    static ProcessLauncher()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "Infrar process launcher" };
        thread.Start();
    }

    public static Task<Process> StartAsync(ProcessStartInfo start)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((start, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (start, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}."));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}

/// <summary>A process as the kernel knows it: its id, when it started (so a reused id is not mistaken for it), and on which boot.</summary>
internal sealed record ProcessIdentity(int Id, long StartTicks, string Boot)
{
    private static readonly Lazy<string> CurrentBoot = new(() =>
        File.Exists("/proc/sys/kernel/random/boot_id") ? File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim() : Environment.MachineName);

    /// <summary>This machine's current boot: processes recorded under another boot (or on another machine) are not ours to see.</summary>
    public static string ThisBoot => CurrentBoot.Value;

    public static ProcessIdentity? Of(int id) => StartTicksOf(id) is { } ticks ? new ProcessIdentity(id, ticks, ThisBoot) : null;

    /// <summary>Whether this very process still runs on this machine (a zombie has ended).</summary>
    public bool IsAlive => Boot == ThisBoot && StartTicksOf(Id, skipZombies: true) == StartTicks;

    /// <summary>Kills the process and every process under it, and waits until none is left.</summary>
    public async Task KillTreeAsync(TimeSpan timeout)
    {
        if (!IsAlive)
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(Id);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It ended on its own.
        }

        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>Field 22 of /proc/PID/stat: the start time in clock ticks since boot.</summary>
    private static long? StartTicksOf(int id, bool skipZombies = false)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{id.ToString(CultureInfo.InvariantCulture)}/stat");
            // The command name (field 2) is in parentheses and may hold spaces or parentheses itself.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (skipZombies && fields[0] is "Z" or "X")
            {
                return null;
            }

            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
