using Infrar.Platform.Migrations.Stores;

namespace Infrar.Platform.Migrations;

/// <summary>
/// Checks every object a migration copied against the target: present, the same size, content type and metadata as
/// the source has now, and the same MD5 as was streamed (the MD5 the target reports, or the target read back when it
/// reports none). With <c>complete</c> it also lists the source again and requires every object it holds now to be on
/// the target, as cleanup needs before it destroys the source.
/// </summary>
internal sealed class Verifier(MigrationStore store, MigrationSide source, MigrationSide target, int parallelism)
{
    private const int Page = 500;

    /// <summary>How an object's error starts when its copy was made but failed verification.</summary>
    private const string Failed = "verification: ";

    /// <summary>Every problem found, object by object (at most <paramref name="limit"/>), and how many objects were checked.</summary>
    public async Task<(long Checked, List<string> Problems)> RunAsync(long migrationId, bool complete, int limit, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var reported = new HashSet<(string, string)>();
        long checkedCount = 0;
        foreach (var bucket in source.Buckets)
        {
            await using var from = source.OpenBucket(bucket);
            await using var to = target.OpenBucket(bucket);
            long after = 0;
            while (await store.ListObjectsAsync(migrationId, bucket, null, after, Page, cancellationToken) is { Count: > 0 } rows)
            {
                after = rows[^1].Id;
                await Parallel.ForEachAsync(
                    rows,
                    new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
                    async (row, ct) =>
                    {
                        Interlocked.Increment(ref checkedCount);
                        if (await CheckAsync(row, from, to, ct) is { } problem)
                        {
                            lock (problems)
                            {
                                problems.Add($"{bucket}/{row.ObjectKey}: {problem}");
                                reported.Add((bucket, row.ObjectKey));
                            }

                            // Marked failed, so that a retry copies it again.
                            await store.MarkAttemptFailedAsync(row.Id, Failed + problem, 0, CancellationToken.None);
                        }
                        else if (row.State == ObjectState.Failed)
                        {
                            // It failed an earlier verification, and the target has been put right since.
                            await store.MarkCopiedAsync(row.Id, row.Md5!, row.VerifiedBy + "; verified again", CancellationToken.None);
                        }
                    });
            }

            if (complete)
            {
                await foreach (var listed in from.ListAsync(cancellationToken))
                {
                    if (!reported.Contains((bucket, listed.Key)) && await to.HeadAsync(listed.Key, cancellationToken) is null)
                    {
                        problems.Add($"{bucket}/{listed.Key}: on the source but not on the target (written after the last pass: run a catch-up)");
                    }
                }
            }
        }

        problems.Sort(StringComparer.Ordinal);
        return (checkedCount, problems.Count > limit ? problems[..limit] : problems);
    }

    private static async Task<string?> CheckAsync(MigrationObjectRow row, ObjectStore from, ObjectStore to, CancellationToken cancellationToken)
    {
        // A copied object is checked, and one that failed only its verification is checked again; others were never copied.
        if (row.State != ObjectState.Copied && !(row.State == ObjectState.Failed && row.Md5 is not null && row.Error?.StartsWith(Failed, StringComparison.Ordinal) == true))
        {
            return row.Error ?? $"not copied ({row.State})";
        }

        var there = await to.HeadAsync(row.ObjectKey, cancellationToken);
        if (there is null)
        {
            return "missing on the target";
        }

        // An object deleted from the source since is reported by catch-up; its copy is still checked against its MD5.
        if (await from.HeadAsync(row.ObjectKey, cancellationToken) is { } here && CopyEngine.Difference(here, there) is { } difference)
        {
            return difference;
        }

        var md5 = there.Md5 ?? await to.HashAsync(row.ObjectKey, cancellationToken);
        return md5 == row.Md5 ? null : $"the target's MD5 is {md5}, the bytes copied gave {row.Md5}";
    }
}
