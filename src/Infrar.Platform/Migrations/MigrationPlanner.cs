using Infrar.Generators.Catalog;
using Infrar.Platform.Cost;
using Infrar.Platform.Data;
using Infrar.Platform.Manifest;
using Infrar.Platform.Migrations.Stores;

namespace Infrar.Platform.Migrations;

/// <summary>
/// Makes a migration's plan: lists every object of every bucket on the source (each listed object becomes a row of
/// the copy), prices both sides with the cost engine at the size the buckets really have, prices the copy's egress,
/// estimates its duration, and lists what behaves differently on the target.
/// </summary>
internal static class MigrationPlanner
{
    /// <summary>Rows written to the database per transaction while listing.</summary>
    public const int ListingPage = 500;

    /// <summary>The throughput the duration estimate assumes: one machine's copy, per docs/migration.md.</summary>
    private const double AssumedBytesPerSecond = 50 << 20;
    private const double AssumedObjectsPerSecond = 200;

    /// <summary>Lists every bucket of the source into the copy's rows for <paramref name="pass"/>; returns what each holds.</summary>
    public static async Task<List<PlanBucket>> ListAsync(MigrationStore store, long migrationId, long pass, MigrationSide source, Func<string, Task> log, CancellationToken cancellationToken)
    {
        var buckets = new List<PlanBucket>();
        foreach (var bucket in source.Buckets)
        {
            await using var objects = source.OpenBucket(bucket);
            var page = new List<ListedObject>(ListingPage);
            var pending = 0;
            await foreach (var listed in objects.ListAsync(cancellationToken))
            {
                page.Add(listed);
                if (page.Count == ListingPage)
                {
                    pending += await store.RecordListingAsync(migrationId, bucket, pass, page, cancellationToken);
                    page.Clear();
                }
            }

            if (page.Count > 0)
            {
                pending += await store.RecordListingAsync(migrationId, bucket, pass, page, cancellationToken);
            }

            var (count, bytes) = await store.CountBucketAsync(migrationId, bucket, pass, cancellationToken);
            await log($"infrar: {objects.Description}: {count} objects, {Bytes(bytes)}; {pending} to copy in pass {pass}");
            buckets.Add(new PlanBucket(bucket, source.PhysicalName(bucket), count, bytes));
        }

        return buckets;
    }

    public static MigrationPlan Build(
        MigrationSide source, EnvironmentRow target, DeploymentRow? targetDeployment, ManifestDocument targetManifest, IReadOnlyList<PlanBucket> listed, long threshold)
    {
        var buckets = listed.Select(bucket =>
        {
            var (engine, why) = Transfers.TransferEngines.Choose(source.Environment.Provider, target.Provider, bucket.Bytes, threshold, source.Credentials);
            return bucket with { Engine = engine, Why = why };
        }).ToList();
        var resources = targetManifest.Resources
            .Select(r => new PlanResource(r.Kind, r.Name, targetDeployment is null ? "create" : "exists"))
            .ToList();
        var provisioning = targetDeployment is null
            ? $"a deployment of {target.Name} with the target build's infra, through the deployment state machine"
            : $"none: {target.Name} is already deployed (deployment {targetDeployment.Id}); the copy writes into its buckets";
        return new MigrationPlan(
            new PlanSide(source.Environment.Id, source.Environment.Name, source.Environment.Provider, source.Environment.Region, source.Environment.Protected != 0, source.Deployment.Id),
            new PlanSide(target.Id, target.Name, target.Provider, target.Region, target.Protected != 0, targetDeployment?.Id),
            provisioning,
            resources,
            buckets,
            Price(source.Environment, target, source.Manifest(), buckets),
            buckets.Where(b => !b.ByTransferService).Sum(b => b.Bytes) / AssumedBytesPerSecond + buckets.Where(b => !b.ByTransferService).Sum(b => b.Objects) / AssumedObjectsPerSecond,
            Risks(target, targetManifest, buckets),
            threshold);
    }

    private static PlanCost Price(EnvironmentRow source, EnvironmentRow target, ManifestDocument manifest, IReadOnlyList<PlanBucket> buckets)
    {
        const decimal Gb = 1L << 30;
        var notes = new List<string>();
        var usage = UsageProfile.Load(null, manifest);
        var measured = usage.Buckets.ToDictionary(
            b => b.Key,
            b => b.Value with { StoredGb = (buckets.FirstOrDefault(x => x.Name == b.Key)?.Bytes ?? 0) / Gb });
        var regions = new Dictionary<string, string>(usage.Regions);
        foreach (var side in new[] { source, target })
        {
            if (side.Region is { } region)
            {
                regions[side.Provider] = region;
            }
        }

        var report = CostEngine.Estimate(manifest, usage with { Buckets = measured, Regions = regions }, PriceBook.Default);
        notes.Add("monthly: the cost engine's estimate with each bucket at the size listed now; requests, egress and compute as assumed by infrar cost (docs/cost.md)");
        decimal? Monthly(EnvironmentRow side)
        {
            var estimate = report.Providers.FirstOrDefault(p => p.Provider == side.Provider);
            if (estimate is null)
            {
                // A provider whose buckets are folders on this machine costs nothing; any other without prices is unknown.
                var onThisMachine = EmbeddedCatalog.Value.Providers[side.Provider].FolderVariable is not null;
                notes.Add($"{side.Name}: {side.Provider} has no prices{(onThisMachine ? " (it runs on this machine)" : "")}");
                return onThisMachine ? 0 : null;
            }

            if (!estimate.Complete)
            {
                notes.Add($"{side.Name}: a floor, some prices are missing: {string.Join("; ", estimate.Missing)}");
            }

            return estimate.Total;
        }

        var copyGb = buckets.Sum(b => b.Bytes) / Gb;
        decimal? egress = 0;
        if (PriceBook.Default.Providers.TryGetValue(source.Provider, out var sourcePrices))
        {
            var (cost, _, missing) = CostEngine.Egress(sourcePrices, source.Region, copyGb);
            egress = cost;
            notes.Add(missing.Count == 0
                ? $"copy: {source.Provider} internet egress for {copyGb:0.###} GB, once (within the month's free allowance where there is one)"
                : $"copy: egress not priced: {string.Join("; ", missing)}");
        }
        else
        {
            notes.Add($"copy: no egress charge from {source.Provider}");
        }

        return new PlanCost(report.Providers.FirstOrDefault()?.Currency ?? "USD", Monthly(source), Monthly(target), egress, decimal.Round(copyGb, 6), notes);
    }

    /// <summary>What the app does that behaves differently on the target (the catalog's limitations), and what a migration does not move.</summary>
    private static List<string> Risks(EnvironmentRow target, ManifestDocument manifest, IReadOnlyList<PlanBucket> buckets)
    {
        var risks = new List<string>();
        foreach (var bucket in buckets.Where(b => b.ByTransferService))
        {
            risks.Add($"bucket {bucket.Name}: copied by {Transfers.TransferEngines.Title(bucket.Engine)}, whose fees are not in the price book and whose duration is not in the estimate; the migration waits for it (up to the service's transfer timeout), then verifies every object");
        }

        var provider = EmbeddedCatalog.Value.Providers[target.Provider];
        foreach (var resource in manifest.Resources)
        {
            var binding = resource.Kind == "queue" ? provider.Queues : provider.Storage;
            foreach (var operation in resource.Operations)
            {
                if (binding is null || !binding.Operations.TryGetValue(operation.Id, out var code))
                {
                    risks.Add($"{resource.Name}.{operation.Id} ({string.Join(", ", operation.CallSites)}): {target.Provider} has no code for it");
                }
                else if (code.Limitations is { Length: > 0 } limitations)
                {
                    risks.Add($"{resource.Name}.{operation.Id} ({string.Join(", ", operation.CallSites)}) on {target.Provider}: {limitations.Trim()}");
                }
            }

            if (resource.Kind == "queue")
            {
                risks.Add($"queue {resource.Name}: messages are not copied; drain the source's queue (stop its senders, let its receivers finish) before cutover");
            }
        }

        risks.Add("objects are copied with their content, content type and metadata; object versions, ACLs, storage classes and tags are not");
        return risks;
    }

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1 << 20 => $"{bytes / 1024.0:0.#} KiB",
        < 1 << 30 => $"{bytes / 1048576.0:0.#} MiB",
        _ => $"{bytes / 1073741824.0:0.##} GiB",
    };
}
