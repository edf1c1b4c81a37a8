using System.Text.Json;
using Infrar.Platform.Migrations.Stores;
using Infrar.Platform.Security;

namespace Infrar.Platform.Migrations.Transfers;

/// <summary>
/// One pass of the buckets the plan gave to the target cloud's transfer service: applies the transfer configuration
/// once for the pass, then, each time the worker comes back, checks the objects still pending on the target (same size,
/// content type, metadata and MD5 as the source) and marks the ones the service has copied. When none is pending, or
/// the transfer timeout passes, everything the configuration created is destroyed: it holds the source's keys.
/// </summary>
internal sealed class TransferPass(MigrationStore store, TransferRunner runner, PlatformOptions options, Func<string, Task> log)
{
    /// <summary>The most pending objects one visit checks on the target.</summary>
    private const int CheckedPerVisit = 2_000;

    private const int Page = 500;

    /// <summary>True when every object of the transfer buckets is on the target (and the jobs are gone); false while it waits.</summary>
    public async Task<bool> RunAsync(MigrationRow migration, MigrationPlan plan, MigrationSide source, MigrationSide target, CancellationToken cancellationToken)
    {
        var buckets = plan.Buckets.Where(b => b.ByTransferService).ToList();
        var names = buckets.Select(b => b.Name).ToList();
        var engine = TransferEngines.Title(buckets[0].Engine);
        if (migration.TransferPass != migration.Pass)
        {
            if ((await store.ListPendingAsync(migration.Id, names, 0, 1, cancellationToken)).Count == 0)
            {
                return true;
            }

            var spec = await SpecAsync(migration, source, target, names);
            var (variables, mask) = await VariablesAsync(spec, source, cancellationToken);
            var files = TransferConfig.Render(spec);
            await log($"infrar: pass {migration.Pass}: {engine} copies {string.Join(", ", names)}; applying {TransferConfig.FileName} (GET /api/migrations/{migration.Id}/transfer)");
            if (!await runner.RunAsync(migration, "apply", files, target.Environment, target.Credentials, variables, line => log(mask.Apply(line)), cancellationToken))
            {
                throw new VerificationException($"the transfer's apply failed (see the log); what it created is destroyed before anything else, then retry");
            }

            await store.RecordTransferAsync(migration.Id, migration.Pass, JsonSerializer.Serialize(files), cancellationToken);
            migration = await store.RequireAsync(migration.Id, cancellationToken);
            await log($"infrar: {engine} has the pass; checking the target every {options.MigrationTransferPoll.TotalSeconds:0} s for up to {options.MigrationTransferTimeout.TotalHours:0.#} h");
        }

        var found = await CheckAsync(migration, names, source, target, engine, cancellationToken);
        var progress = await store.ProgressAsync(migration.Id, cancellationToken);
        var left = progress.Objects - progress.CopiedObjects - progress.FailedObjects;
        if ((await store.ListPendingAsync(migration.Id, names, 0, 1, cancellationToken)).Count == 0)
        {
            await log($"infrar: {engine} copied every object of {string.Join(", ", names)} in pass {migration.Pass}; destroying the transfer jobs");
            await DestroyAsync(migration, source, target, cancellationToken);
            return true;
        }

        if (found > 0)
        {
            await log($"infrar: {engine}: {found} more objects whole on the target; {left} to go");
        }

        var started = DateTimeOffset.FromUnixTimeMilliseconds(migration.TransferStarted ?? 0);
        if (DateTimeOffset.UtcNow - started > options.MigrationTransferTimeout)
        {
            var missing = await DescribeMissingAsync(migration, names, source, target, cancellationToken);
            foreach (var line in missing)
            {
                await log("infrar: not on the target: " + line);
            }

            await DestroyAsync(migration, source, target, cancellationToken);
            throw new VerificationException(
                $"{engine} did not copy {left} objects within {options.MigrationTransferTimeout.TotalHours:0.#} h (see the log and its job's own log in the cloud); its jobs are destroyed; retry to hand the pass to it again");
        }

        return false;
    }

    /// <summary>Destroys what the transfer configuration created, if anything may still exist; throws when OpenTofu fails.</summary>
    public async Task DestroyAsync(MigrationRow migration, MigrationSide source, MigrationSide target, CancellationToken cancellationToken)
    {
        migration = await store.RequireAsync(migration.Id, cancellationToken);
        if (migration.TransferState is null)
        {
            return;
        }

        var files = migration.TransferFiles is { } json
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(json)!
            : throw new InvalidOperationException($"Migration {migration.Id} has a transfer's state but not its files.");

        var buckets = migration.Plan is { } plan ? JsonSerializer.Deserialize<MigrationPlan>(plan, MigrationPlan.Json)!.Buckets.Select(b => b.Name).ToList() : [];
        var variables = TransferConfig.DestroyVariables(source.Environment.Provider, buckets, source.Credentials);
        if (!await runner.RunAsync(migration, "destroy", files, target.Environment, target.Credentials, variables, log, cancellationToken))
        {
            throw new VerificationException("destroying the transfer jobs failed (see the log); they still hold the source's keys: the service tries again");
        }

        await store.ClearTransferAsync(migration.Id, cancellationToken);
        await log("infrar: the transfer jobs and everything made for them are destroyed");
    }

    /// <summary>Checks pending objects on the target, marking those the service copied whole; returns how many it found.</summary>
    private async Task<int> CheckAsync(MigrationRow migration, IReadOnlyList<string> names, MigrationSide source, MigrationSide target, string engine, CancellationToken cancellationToken)
    {
        var stores = names.ToDictionary(name => name, name => (From: source.OpenBucket(name), To: target.OpenBucket(name)), StringComparer.Ordinal);
        try
        {
            var found = 0;
            long after = 0;
            for (var checkedCount = 0; checkedCount < CheckedPerVisit;)
            {
                var rows = await store.ListPendingAsync(migration.Id, names, after, Page, cancellationToken);
                if (rows.Count == 0)
                {
                    break;
                }

                await Parallel.ForEachAsync(
                    rows,
                    new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MigrationParallelism), CancellationToken = cancellationToken },
                    async (row, ct) =>
                    {
                        var (from, to) = stores[row.Bucket];
                        if (await CopyEngine.HeldWholeAsync(row.ObjectKey, from, to, ct) is { } md5)
                        {
                            await store.MarkCopiedAsync(row.Id, md5, $"copied by {engine}: size, content type, metadata and MD5 compared with the source", CancellationToken.None);
                            Interlocked.Increment(ref found);
                        }
                    });
                after = rows[^1].Id;
                checkedCount += rows.Count;
            }

            return found;
        }
        finally
        {
            foreach (var (from, to) in stores.Values)
            {
                await from.DisposeAsync();
                await to.DisposeAsync();
            }
        }
    }

    /// <summary>What is wrong with the first few objects still pending: missing on the target, or how they differ.</summary>
    private async Task<List<string>> DescribeMissingAsync(MigrationRow migration, IReadOnlyList<string> names, MigrationSide source, MigrationSide target, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        foreach (var row in await store.ListPendingAsync(migration.Id, names, 0, 10, cancellationToken))
        {
            await using var from = source.OpenBucket(row.Bucket);
            await using var to = target.OpenBucket(row.Bucket);
            var there = await to.HeadAsync(row.ObjectKey, cancellationToken);
            var here = await from.HeadAsync(row.ObjectKey, cancellationToken);
            lines.Add($"{row.Bucket}/{row.ObjectKey}: " + (there is null ? "missing"
                : here is null ? "deleted from the source meanwhile"
                : CopyEngine.Difference(here, there) ?? "its MD5 differs from the source's"));
        }

        return lines;
    }

    private static async Task<TransferSpec> SpecAsync(MigrationRow migration, MigrationSide source, MigrationSide target, IReadOnlyList<string> names)
    {
        string? account = null;
        await using (var first = source.OpenBucket(names[0]))
        {
            account = (first as AzureObjectStore)?.AccountName;
        }

        return new TransferSpec(
            migration.Id,
            migration.Pass,
            source.Environment.Provider,
            target.Environment.Provider,
            target.Environment.Region ?? Generators.Catalog.EmbeddedCatalog.Value.Providers[target.Environment.Provider].DefaultRegion ?? "",
            [.. names.Select(name => new TransferBucket(name, source.PhysicalName(name), target.PhysicalName(name)))],
            DateTimeOffset.UtcNow,
            account,
            TransferEngines.ServiceAccountOf(source.Credentials));
    }

    /// <summary>The run's TF_VAR_ values, and a mask for the SAS made for it (the credentials are masked already).</summary>
    private async Task<(Dictionary<string, string> Variables, SecretMask Mask)> VariablesAsync(TransferSpec spec, MigrationSide source, CancellationToken cancellationToken)
    {
        // Storage Transfer Service reads Azure Blob with a SAS: one per container, reading and listing only, made for this pass.
        Dictionary<string, string>? tokens = null;
        foreach (var bucket in spec.Buckets)
        {
            await using var opened = source.OpenBucket(bucket.Name);
            if (opened is AzureObjectStore container)
            {
                tokens ??= [];
                tokens[bucket.Name] = await container.CreateReadSasAsync(DateTimeOffset.UtcNow + options.MigrationTransferTimeout, cancellationToken);
            }
        }

        return (TransferConfig.Variables(spec, source.Credentials, tokens), new SecretMask(tokens is null ? [] : tokens.Values));
    }
}
