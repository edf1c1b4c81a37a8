using System.Globalization;
using System.Text.RegularExpressions;

namespace Infrar.Testing;

/// <summary>
/// A stand-in for OpenTofu for the tests and benchmarks of the service under load: it runs in the sandbox like the real binary, plans
/// nothing, and its apply waits (as a cloud apply waits on the provider's API) and then records, in the local
/// environment's folder, which submission it applied and when it started and ended. The real binary is not needed to
/// test the queue, and would make each deployment cost seconds of CPU on these two cores.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static partial class StandInTofu
{
    private const string LogName = "applied.log";

    public static string Write(string folder, TimeSpan applyTakes)
    {
        var path = Path.Combine(folder, "stand-in-tofu");
        var seconds = applyTakes.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        File.WriteAllText(path, $$"""
            #!/bin/sh
            case "$1" in
              init) echo "stand-in: initialized" ;;
              plan) : > tfplan; echo "stand-in: Plan: 1 to add, 0 to change, 0 to destroy." ;;
              show) echo '{"format_version":"1.2","resource_changes":[]}' ;;
              apply)
                started=$(date +%s%N)
                sleep {{seconds}}
                marker=$(sed -n 's/^# submission //p' main.tf)
                echo "$marker $started $(date +%s%N)" >> "$TF_VAR_local_root/{{LogName}}"
                echo "stand-in: Apply complete!" ;;
            esac

            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    /// <summary>
    /// A stand-in whose apply changes nothing and whose <c>output -json</c> answers the outputs the infra names in
    /// <c># output name = "value"</c> lines (<see cref="InfraWithOutputs"/>): the physical names a cloud deployment would
    /// have made, for the migration tests, which need deployed cloud environments where no cloud can be reached. Given a
    /// migration's transfer configuration (<c>transfer.tf</c>), its apply says how many transfer jobs and which source
    /// variables it was given and, as a real state would, keeps the source's secret in its state; its destroy empties it.
    /// </summary>
    public static string WriteWithOutputs(string folder)
    {
        var path = Path.Combine(folder, "stand-in-tofu-outputs");
        File.WriteAllText(path, """
            #!/bin/sh
            case "$1" in
              init) echo "stand-in: initialized" ;;
              plan) : > tfplan; echo "stand-in: Plan: 1 to add, 0 to change, 0 to destroy." ;;
              show) echo '{"format_version":"1.2","resource_changes":[]}' ;;
              apply)
                if [ -f transfer.tf ]; then
                  jobs=$(grep -c '^resource "\(google_storage_transfer_job\|aws_datasync_task\)"' transfer.tf)
                  names=$(env | sed -n 's/^\(TF_VAR_source_[a-z_]*\)=.*/\1/p' | sort | paste -sd' ' -)
                  printf '{"version":4,"serial":1,"lineage":"stand-in","resources":[{"secret":"%s"}]}\n' "$TF_VAR_source_aws_secret_access_key" > terraform.tfstate
                  echo "stand-in: transfer applied: $jobs jobs; variables: $names"
                fi
                echo "stand-in: Apply complete!" ;;
              destroy)
                printf '{"version":4,"serial":2,"lineage":"stand-in","resources":[]}\n' > terraform.tfstate
                echo "stand-in: transfer destroyed" ;;
              output)
                printf '{'
                sed -n 's/^# output \([a-z0-9_]*\) = \(".*"\)$/"\1":{"sensitive":false,"type":"string","value":\2}/p' ./*.tf | paste -sd, -
                printf '}\n' ;;
            esac

            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    /// <summary>Infra whose deployment records these outputs under <see cref="WriteWithOutputs"/>'s stand-in.</summary>
    public static Dictionary<string, string> InfraWithOutputs(IReadOnlyDictionary<string, string> outputs) => new()
    {
        ["main.tf"] = string.Concat(outputs.Select(o => $"# output {o.Key} = \"{o.Value}\"\n")) + "variable \"local_root\" {\n  type    = string\n  default = null\n}\n",
    };

    /// <summary>The infra of one submission, marked so that its applies can be counted.</summary>
    public static Dictionary<string, string> Infra(string marker) => new()
    {
        ["main.tf"] = $"# submission {marker}\nvariable \"local_root\" {{\n  type = string\n}}\n",
    };

    /// <summary>The submission a deployment's stored infra carries.</summary>
    public static string MarkerOf(string infraJson) => Marker().Match(infraJson).Groups[1].Value;

    /// <summary>Every apply the stand-in made, in the environments' folders under <paramref name="root"/>.</summary>
    public static List<Apply> Applies(string root) =>
        [.. Directory.EnumerateFiles(root, LogName, SearchOption.AllDirectories)
            .SelectMany(file => File.ReadAllLines(file).Where(line => line.Length > 0).Select(line =>
            {
                var parts = line.Split(' ');
                return new Apply(Path.GetFileName(Path.GetDirectoryName(file))!, parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
            }))];

    /// <summary>The most applies that ran at one moment.</summary>
    public static int PeakConcurrency(IEnumerable<Apply> applies)
    {
        var peak = 0;
        var running = 0;
        foreach (var (_, change) in applies.SelectMany(a => new[] { (a.Start, 1), (a.End, -1) }).OrderBy(e => e.Item1).ThenBy(e => e.Item2))
        {
            running += change;
            peak = Math.Max(peak, running);
        }

        return peak;
    }

    [GeneratedRegex(@"# submission ([^\\""\s]+)")]
    private static partial Regex Marker();
}

/// <summary>One apply: in which environment's folder, of which submission, from when to when (nanoseconds).</summary>
public sealed record Apply(string Environment, string Marker, long Start, long End);
