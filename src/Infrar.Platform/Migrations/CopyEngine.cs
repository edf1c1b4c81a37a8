using Infrar.Platform.Migrations.Stores;

namespace Infrar.Platform.Migrations;

/// <summary>
/// Copies a migration's pending objects, source to target, several at once, each streamed with bounded memory through
/// the providers' SDKs and confirmed by the target before its row is marked copied. After a crash it first settles the
/// objects that were in flight: one the target already holds whole (same MD5 as the source) is marked copied without
/// writing it again; the others are copied again. An object that fails is retried, and failed for good after
/// <see cref="MaxAttempts"/> attempts. Nothing on the source is written or deleted.
/// </summary>
internal sealed class CopyEngine(MigrationStore store, MigrationSide source, MigrationSide target, int parallelism, Func<string, Task> log, IReadOnlyList<string>? only = null)
{
    /// <summary>The buckets this engine copies: the ones the plan did not give to a cloud's transfer service.</summary>
    private readonly IReadOnlyList<string> _buckets = only ?? source.Buckets;

    public const int MaxAttempts = 3;
    private const int Batch = 64;

    /// <summary>The most failed attempts a pass writes to the log one by one; the rest are counted (every one is on its object's row).</summary>
    private const int LoggedFailures = 100;

    private int _failures;

    /// <summary>Copies until no object is pending; returns how many were copied.</summary>
    public async Task<long> RunAsync(long migrationId, CancellationToken cancellationToken)
    {
        var buckets = new Dictionary<string, (ObjectStore From, ObjectStore To)>(StringComparer.Ordinal);
        try
        {
            foreach (var bucket in _buckets)
            {
                buckets[bucket] = (source.OpenBucket(bucket), target.OpenBucket(bucket));
            }

            await SettleInFlightAsync(migrationId, buckets, cancellationToken);
            long copied = 0;
            while (await store.TakePendingAsync(migrationId, _buckets, Batch * Math.Max(1, parallelism), cancellationToken) is { Count: > 0 } rows)
            {
                await Parallel.ForEachAsync(
                    rows,
                    new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
                    async (row, ct) =>
                    {
                        var (from, to) = buckets[row.Bucket];
                        if (await CopyAsync(row, from, to, ct))
                        {
                            Interlocked.Increment(ref copied);
                        }
                    });
            }

            if (_failures > LoggedFailures)
            {
                await log($"infrar: {_failures - LoggedFailures} more failed attempts in this pass, not logged one by one; each is on its object (GET /api/migrations/{migrationId}/objects)");
            }

            return copied;
        }
        finally
        {
            foreach (var (from, to) in buckets.Values)
            {
                await from.DisposeAsync();
                await to.DisposeAsync();
            }
        }
    }

    private async Task<bool> CopyAsync(MigrationObjectRow row, ObjectStore from, ObjectStore to, CancellationToken cancellationToken)
    {
        try
        {
            await using var opened = await from.OpenReadAsync(row.ObjectKey, cancellationToken);
            var written = await to.WriteAsync(row.ObjectKey, opened.Content, opened.Facts, cancellationToken);
            if (opened.Facts.Md5 is { } sourceMd5 && sourceMd5 != written.Md5)
            {
                throw new VerificationException($"the source reports MD5 {sourceMd5} but the bytes read give {written.Md5}");
            }

            await store.MarkCopiedAsync(row.Id, written.Md5, written.VerifiedBy, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = $"{e.GetType().Name}: {e.Message}";
            await store.MarkAttemptFailedAsync(row.Id, error, MaxAttempts, CancellationToken.None);
            if (Interlocked.Increment(ref _failures) <= LoggedFailures)
            {
                await log($"infrar: {from.Description} '{row.ObjectKey}' (attempt {row.Attempts + 1} of {MaxAttempts}): {error}");
            }

            return false;
        }
    }

    /// <summary>Decides, for each object a dead worker left in flight, whether the target already holds it whole.</summary>
    private async Task SettleInFlightAsync(long migrationId, Dictionary<string, (ObjectStore From, ObjectStore To)> buckets, CancellationToken cancellationToken)
    {
        var inFlight = await store.ListInFlightAsync(migrationId, cancellationToken);
        if (inFlight.Count == 0)
        {
            return;
        }

        var kept = 0;
        foreach (var row in inFlight)
        {
            var (from, to) = buckets[row.Bucket];
            if (await HeldWholeAsync(row.ObjectKey, from, to, cancellationToken) is { } md5)
            {
                await store.MarkCopiedAsync(row.Id, md5, "already on the target after a restart: MD5 of source and target compared", CancellationToken.None);
                kept++;
            }
            else
            {
                await store.MarkAttemptFailedAsync(row.Id, "interrupted: the service stopped during its copy", MaxAttempts + 1, CancellationToken.None);
            }
        }

        await log($"infrar: {inFlight.Count} objects were being copied when the copy stopped: {kept} were already whole on the target, {inFlight.Count - kept} are copied again");
    }

    /// <summary>The MD5 of the object when the target holds exactly the source's bytes, content type and metadata; else null.</summary>
    internal static async Task<string?> HeldWholeAsync(string key, ObjectStore from, ObjectStore to, CancellationToken cancellationToken)
    {
        var there = await to.HeadAsync(key, cancellationToken);
        var here = await from.HeadAsync(key, cancellationToken);
        if (there is null || here is null || !SameFacts(here, there))
        {
            return null;
        }

        var sourceMd5 = here.Md5 ?? await from.HashAsync(key, cancellationToken);
        var targetMd5 = there.Md5 ?? await to.HashAsync(key, cancellationToken);
        return sourceMd5 == targetMd5 ? sourceMd5 : null;
    }

    /// <summary>Same size, content type and metadata (names compared as every provider treats them: whatever their case).</summary>
    public static bool SameFacts(ObjectFacts source, ObjectFacts target) => Difference(source, target) is null;

    /// <summary>What differs between the source's and the target's facts of an object, or null when nothing does.</summary>
    public static string? Difference(ObjectFacts source, ObjectFacts target)
    {
        if (source.Size != target.Size)
        {
            return $"the target holds {target.Size} bytes, the source {source.Size}";
        }

        if (!string.Equals(source.ContentType, target.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return $"the target's content type is '{target.ContentType}', the source's '{source.ContentType}'";
        }

        var targetMetadata = new Dictionary<string, string>(target.Metadata, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in source.Metadata)
        {
            if (!targetMetadata.Remove(name, out var held) || held != value)
            {
                return $"metadata '{name}' is '{value}' on the source and {(held is null ? "missing" : $"'{held}'")} on the target";
            }
        }

        return targetMetadata.Count > 0 ? $"the target has metadata the source has not: {string.Join(", ", targetMetadata.Keys)}" : null;
    }
}
