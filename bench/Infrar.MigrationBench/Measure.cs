using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Infrar.MigrationBench;

/// <summary>A copy's wall time and its process's peak resident memory.</summary>
internal sealed record Result(TimeSpan Elapsed, long PeakBytes, string Output);

internal static class Measure
{
    /// <summary>Runs a program to its end, reading its VmHWM (peak resident set) from /proc every 20 ms; fails when it fails.</summary>
    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // A CA bundle the machine names for AWS makes rclone's S3 client refuse its own HTTP transport; the emulators are plain HTTP.
        start.Environment.Remove("AWS_CA_BUNDLE");

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        long peak = 0;
        while (!process.HasExited)
        {
            peak = Math.Max(peak, PeakOf(process.Id));
            await Task.Delay(20);
        }

        await process.WaitForExitAsync();
        clock.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited with {process.ExitCode}:\n{output}");
        }

        return new Result(clock.Elapsed, peak, output.ToString());
    }

    private static long PeakOf(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // It ended meanwhile.
        }

        return 0;
    }
}
