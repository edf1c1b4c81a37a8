using Infrar.Platform.Manifest;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Infrar.Platform.Cost;

/// <summary>
/// What the app does in a month (docs/cost.md): per bucket the data stored, writes, reads and egress; per queue the
/// messages sent; for the app its requests, their average duration and its size. Whatever is not given is assumed, and
/// every assumption is listed.
/// </summary>
internal sealed record UsageProfile(
    IReadOnlyDictionary<string, BucketUsage> Buckets,
    AppUsage App,
    IReadOnlyDictionary<string, string> Regions,
    IReadOnlyList<string> Assumptions)
{
    public const long DefaultMessages = 1_000_000;

    /// <summary>Messages sent a month, per queue (each also received and completed once).</summary>
    public IReadOnlyDictionary<string, long> Queues { get; init; } = new Dictionary<string, long>();

    public const decimal DefaultStoredGb = 10;
    public const long DefaultWrites = 100_000;
    public const long DefaultReads = 1_000_000;
    public const decimal DefaultEgressGb = 10;
    public const long DefaultRequests = 1_000_000;
    public const decimal DefaultDurationMs = 100;

    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    /// <summary>Reads a usage file (YAML, or JSON, which is YAML too), or assumes everything when there is none.</summary>
    public static UsageProfile Load(string? path, ManifestDocument manifest)
    {
        UsageFile file;
        if (path is null)
        {
            file = new UsageFile();
        }
        else if (!File.Exists(path))
        {
            throw new InputException($"{path}: no such usage file.");
        }
        else
        {
            try
            {
                file = Yaml.Deserialize<UsageFile?>(File.ReadAllText(path)) ?? new UsageFile();
            }
            catch (YamlException e)
            {
                throw new InputException($"{path}({e.Start.Line},{e.Start.Column}): {e.InnerException?.Message ?? e.Message}", e);
            }
        }

        var assumptions = new List<string>();
        var bucketResources = manifest.Resources.Where(r => r.Kind != "queue").ToList();
        var queueResources = manifest.Resources.Where(r => r.Kind == "queue").ToList();
        var unknown = file.Buckets.Keys.Except(bucketResources.Select(r => r.Name)).ToList();
        if (unknown.Count > 0)
        {
            throw new InputException($"{path}: buckets.{unknown[0]} is not a bucket of {manifest.Project} (its buckets: {string.Join(", ", bucketResources.Select(r => r.Name))}).");
        }

        var unknownQueue = file.Queues.Keys.Except(queueResources.Select(r => r.Name)).ToList();
        if (unknownQueue.Count > 0)
        {
            throw new InputException($"{path}: queues.{unknownQueue[0]} is not a queue of {manifest.Project} (its queues: {string.Join(", ", queueResources.Select(r => r.Name))}).");
        }

        var buckets = bucketResources.ToDictionary(r => r.Name, r =>
        {
            file.Buckets.TryGetValue(r.Name, out var given);
            return new BucketUsage(
                Given(given?.StoredGb, DefaultStoredGb, $"{r.Name}: stored_gb", "GB stored"),
                Given(given?.WritesPerMonth, DefaultWrites, $"{r.Name}: writes_per_month", "writes a month"),
                Given(given?.ReadsPerMonth, DefaultReads, $"{r.Name}: reads_per_month", "reads a month"),
                Given(given?.EgressGb, DefaultEgressGb, $"{r.Name}: egress_gb", "GB of egress a month"));
        });

        var app = new AppUsage(
            Given(file.App?.RequestsPerMonth, DefaultRequests, "app: requests_per_month", "requests a month"),
            Given(file.App?.AverageDurationMs, DefaultDurationMs, "app: average_duration_ms", "ms per request"),
            Given(file.App?.Vcpu, manifest.Service.Cpu, "app: vcpu", "vCPU (from the manifest)"),
            Given(file.App?.MemoryGib, manifest.Service.MemoryMiB / 1024m, "app: memory_gib", "GiB (from the manifest)"),
            Given(file.App?.MinInstances, manifest.Service.MinInstances, "app: min_instances", "minimum instances (from the manifest)"));

        var queues = queueResources.ToDictionary(
            r => r.Name,
            r => Given(file.Queues.GetValueOrDefault(r.Name)?.MessagesPerMonth, DefaultMessages, $"{r.Name}: messages_per_month", "messages a month, each received and completed once"));

        return new UsageProfile(buckets, app, file.Regions, assumptions) { Queues = queues };

        T Given<T>(T? value, T fallback, string field, string what)
            where T : struct
        {
            if (value is { } given)
            {
                if (Convert.ToDecimal(given, System.Globalization.CultureInfo.InvariantCulture) < 0)
                {
                    throw new InputException($"{path}: {field} must not be negative.");
                }

                return given;
            }

            assumptions.Add($"{field} not given; assumed {Convert.ToString(fallback, System.Globalization.CultureInfo.InvariantCulture)} {what}");
            return fallback;
        }
    }

#pragma warning disable CA1812 // Instantiated by YamlDotNet.
    private sealed class UsageFile
    {
        public Dictionary<string, BucketFile> Buckets { get; set; } = [];

        public Dictionary<string, QueueFile> Queues { get; set; } = [];

        public AppFile? App { get; set; }

        public Dictionary<string, string> Regions { get; set; } = [];
    }

    private sealed class BucketFile
    {
        public decimal? StoredGb { get; set; }

        public long? WritesPerMonth { get; set; }

        public long? ReadsPerMonth { get; set; }

        public decimal? EgressGb { get; set; }
    }

    private sealed class QueueFile
    {
        public long? MessagesPerMonth { get; set; }
    }

    private sealed class AppFile
    {
        public long? RequestsPerMonth { get; set; }

        public decimal? AverageDurationMs { get; set; }

        public decimal? Vcpu { get; set; }

        public decimal? MemoryGib { get; set; }

        public int? MinInstances { get; set; }
    }
#pragma warning restore CA1812
}

internal sealed record BucketUsage(decimal StoredGb, long WritesPerMonth, long ReadsPerMonth, decimal EgressGb);

internal sealed record AppUsage(long RequestsPerMonth, decimal AverageDurationMs, decimal Vcpu, decimal MemoryGib, int MinInstances);
