using System.Data.Common;
using Dapper;
using Infrar.Platform.Data;
using Infrar.Platform.Migrations.Stores;
using Infrar.Platform.Security;

namespace Infrar.Platform.Migrations;

/// <summary>
/// Every read and write of migrations, their transitions, logs and objects. A move and its record are one
/// transaction; an object is marked copied in the statement that records its checksum, so what the database says was
/// copied was confirmed by the target.
/// </summary>
internal sealed class MigrationStore(Database database)
{
    private const string Columns = "SELECT * FROM migrations";

    /// <summary>The migration in its first state, with the record of it, inside the caller's transaction.</summary>
    public static async Task<MigrationRow> InsertAsync(DbConnection connection, DbTransaction transaction, MigrationRow migration)
    {
        migration.CreatedAt = migration.UpdatedAt = Database.Now();
        migration.Status = MigrationStatus.Planning;
        migration.Pass = 1;
        migration.Id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO migrations (project_id, source_environment_id, target_environment_id, source_deployment_id, target_deployment_id,
                                    target_infra, target_manifest, status, pass, listed, requested_by, transfer_threshold, created_at, updated_at)
            VALUES (@ProjectId, @SourceEnvironmentId, @TargetEnvironmentId, @SourceDeploymentId, @TargetDeploymentId,
                    @TargetInfra, @TargetManifest, @Status, @Pass, 0, @RequestedBy, @TransferThreshold, @CreatedAt, @UpdatedAt)
            RETURNING id
            """,
            migration,
            transaction);
        await RecordTransitionAsync(connection, transaction, migration.Id, "", migration.Status, migration.RequestedBy);
        return migration;
    }

    public async Task<MigrationRow?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MigrationRow>(Columns + " WHERE id = @id", new { id });
    }

    public async Task<MigrationRow> RequireAsync(long id, CancellationToken cancellationToken) =>
        await GetAsync(id, cancellationToken) ?? throw new NotFoundException($"There is no migration {id}.");

    public async Task<IReadOnlyList<MigrationRow>> ListAsync(long projectId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<MigrationRow>(Columns + " WHERE project_id = @projectId ORDER BY id DESC", new { projectId })];
    }

    /// <summary>
    /// A migration of the environment that is under way: one at a time per environment. One that has cut over rests (its
    /// target is the app's live environment, which can itself be migrated on); it still can be rolled back or cleaned up.
    /// </summary>
    public async Task<long?> FindActiveAsync(long environmentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<long?>(
            """
            SELECT id FROM migrations
            WHERE (source_environment_id = @environmentId OR target_environment_id = @environmentId)
              AND status NOT IN ('cut_over', 'cleaned_up', 'rolled_back', 'cancelled', 'failed')
            ORDER BY id LIMIT 1
            """,
            new { environmentId });
    }

    /// <summary>
    /// Moves a migration if the state machine allows it, with the move's record; <paramref name="also"/> runs in the same
    /// transaction. A move releases the worker's lease: the next state's step is claimed afresh.
    /// </summary>
    public async Task<MigrationRow> TransitionAsync(
        long id,
        string to,
        string actor,
        CancellationToken cancellationToken,
        string? failure = null,
        AuditRecord? audit = null,
        Func<DbConnection, DbTransaction, MigrationRow, Task>? also = null,
        string? expectedFrom = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        // Waits for a concurrent move of the same migration (SKIP LOCKED here would take a locked row for a missing one).
        var current = await connection.QuerySingleOrDefaultAsync<MigrationRow>(
            Columns + " WHERE id = @id" + (database.Dialect == Dialect.Postgres ? " FOR UPDATE" : ""), new { id }, transaction)
            ?? throw new NotFoundException($"There is no migration {id}.");
        if (expectedFrom is not null && current.Status != expectedFrom)
        {
            throw new Deployments.IllegalTransitionException($"Migration {id} is {current.Status}, no longer {expectedFrom}.");
        }

        MigrationStatus.EnsureCanMove(id, current.Status, to);
        if (also is not null)
        {
            await also(connection, transaction, current);
        }

        await connection.ExecuteAsync(
            """
            UPDATE migrations SET status = @to, failure = @failure, owner = NULL, lease_until = NULL, updated_at = @now
            WHERE id = @id
            """,
            new { id, to, failure, now = Database.Now() },
            transaction);
        await RecordTransitionAsync(connection, transaction, id, current.Status, to, actor);
        if (audit is not null)
        {
            await PlatformStore.InsertAuditAsync(connection, transaction, audit);
        }

        var moved = await connection.QuerySingleAsync<MigrationRow>(Columns + " WHERE id = @id", new { id }, transaction);
        await transaction.CommitAsync(CancellationToken.None);
        if (audit is not null)
        {
            audit.Written = true;
        }

        return moved;
    }

    /// <summary>
    /// Starts a planned migration: copying reads all of the source's data and writes all of the target's, so either
    /// environment being protected makes it wait for another user's approval. The API and the dashboard both start here.
    /// </summary>
    public async Task<MigrationRow> StartAsync(long id, string actor, AuditRecord audit, CancellationToken cancellationToken)
    {
        long protectedSides;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            protectedSides = await connection.ExecuteScalarAsync<long>(
                """
                SELECT COUNT(*) FROM migrations m JOIN environments e ON e.id IN (m.source_environment_id, m.target_environment_id)
                WHERE m.id = @id AND e.protected <> 0
                """,
                new { id });
        }

        var next = protectedSides > 0 ? MigrationStatus.AwaitingApproval : MigrationStatus.Provisioning;
        return await TransitionAsync(id, next, actor, cancellationToken, audit: audit, expectedFrom: MigrationStatus.Planned);
    }

    /// <summary>Approves a migration waiting for it: by someone other than who asked for it.</summary>
    public Task<MigrationRow> ApproveAsync(long id, string approver, AuditRecord audit, CancellationToken cancellationToken) =>
        TransitionAsync(id, MigrationStatus.Provisioning, approver, cancellationToken, audit: audit, expectedFrom: MigrationStatus.AwaitingApproval,
            also: async (connection, transaction, current) =>
            {
                if (string.Equals(current.RequestedBy, approver, StringComparison.Ordinal))
                {
                    throw new ForbiddenException($"Migration {id} was requested by {approver}; another user must approve it.");
                }

                await connection.ExecuteAsync("UPDATE migrations SET approved_by = @approver WHERE id = @id", new { id, approver }, transaction);
            });

    /// <summary>Makes the target the app's live environment, recording when.</summary>
    public Task<MigrationRow> CutOverAsync(long id, string actor, AuditRecord audit, CancellationToken cancellationToken) =>
        TransitionAsync(id, MigrationStatus.CutOver, actor, cancellationToken, audit: audit, expectedFrom: MigrationStatus.Ready,
            also: (connection, transaction, _) => connection.ExecuteAsync("UPDATE migrations SET cut_over_at = @now WHERE id = @id", new { id, now = Database.Now() }, transaction));

    public async Task<IReadOnlyList<Data.TransitionRow>> ListTransitionsAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<Data.TransitionRow>(
            "SELECT id, from_status, to_status, actor, at FROM migration_transitions WHERE migration_id = @id ORDER BY id", new { id })];
    }

    /// <summary>
    /// A migration with a step to run, or one that ended (failed, cancelled, rolled back) while a cloud's transfer job it
    /// created may still exist: the worker destroys that job, which holds the source's keys.
    /// </summary>
    private const string Claimable =
        "(status IN ('planning', 'provisioning', 'copying', 'verifying', 'cleaning_up') OR (status IN ('failed', 'cancelled', 'rolled_back') AND transfer_state IS NOT NULL))";

    /// <summary>Claims a migration with a step to run whose lease is free or ran out (its worker died); null when there is none.</summary>
    public async Task<MigrationRow?> ClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = Database.Now();

        // A read first: most passes find nothing, and take no write lock (SQLite has one for the whole database).
        if (await connection.ExecuteScalarAsync<long?>(
            "SELECT id FROM migrations WHERE " + Claimable + " AND (lease_until IS NULL OR lease_until < @now) LIMIT 1",
            new { now }) is null)
        {
            return null;
        }

        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var candidate = await connection.QueryFirstOrDefaultAsync<MigrationRow>(
            Columns + " WHERE " + Claimable + " AND (lease_until IS NULL OR lease_until < @now) ORDER BY id LIMIT 1" + database.SkipLocked,
            new { now },
            transaction);
        if (candidate is null)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return null;
        }

        await connection.ExecuteAsync(
            "UPDATE migrations SET owner = @owner, lease_until = @until WHERE id = @Id",
            new { candidate.Id, owner, until = now + (long)lease.TotalMilliseconds },
            transaction);
        await transaction.CommitAsync(CancellationToken.None);
        candidate.Owner = owner;
        return candidate;
    }

    /// <summary>Extends the lease; false when the migration is no longer this worker's (or moved on).</summary>
    public async Task<bool> RenewAsync(long id, string owner, string status, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE migrations SET lease_until = @until WHERE id = @id AND owner = @owner AND status = @status",
            new { id, owner, status, until = Database.Now() + (long)lease.TotalMilliseconds }) == 1;
    }

    /// <summary>Gives the step back without moving on (it waits on something else, such as the target's deployment).</summary>
    public async Task ReleaseAsync(long id, string owner, TimeSpan wait, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE migrations SET owner = NULL, lease_until = @until WHERE id = @id AND owner = @owner",
            new { id, owner, until = Database.Now() + (long)wait.TotalMilliseconds });
    }

    public async Task UpdateAsync(
        long id, CancellationToken cancellationToken, string? plan = null, long? targetDeploymentId = null, long? listed = null, long? cleanupDeploymentId = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            UPDATE migrations SET plan = COALESCE(@plan, plan), target_deployment_id = COALESCE(@targetDeploymentId, target_deployment_id),
                   listed = COALESCE(@listed, listed), cleanup_deployment_id = COALESCE(@cleanupDeploymentId, cleanup_deployment_id), updated_at = @now
            WHERE id = @id
            """,
            new { id, plan, targetDeploymentId, listed, cleanupDeploymentId, now = Database.Now() });
    }

    /// <summary>Keeps the state of what a transfer created (sealed), whatever its run did.</summary>
    public async Task SaveTransferStateAsync(long id, string sealedState, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE migrations SET transfer_state = @sealedState, updated_at = @now WHERE id = @id", new { id, sealedState, now = Database.Now() });
    }

    /// <summary>Records that the transfer jobs of <paramref name="pass"/> were applied, from these files, and copy now.</summary>
    public async Task RecordTransferAsync(long id, long pass, string files, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = Database.Now();
        await connection.ExecuteAsync(
            "UPDATE migrations SET transfer_pass = @pass, transfer_started = @now, transfer_files = @files, updated_at = @now WHERE id = @id",
            new { id, pass, files, now });
    }

    /// <summary>Records that nothing a transfer created exists any more (its files stay, to be read).</summary>
    public async Task ClearTransferAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE migrations SET transfer_state = NULL, transfer_pass = NULL, transfer_started = NULL, updated_at = @now WHERE id = @id",
            new { id, now = Database.Now() });
    }

    /// <summary>Pending objects of these buckets, without taking them: a cloud's transfer service copies them.</summary>
    public async Task<IReadOnlyList<MigrationObjectRow>> ListPendingAsync(long id, IReadOnlyCollection<string> buckets, long afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var (among, parameters) = AmongBuckets(buckets, new { id, afterId, limit });
        return [.. await connection.QueryAsync<MigrationObjectRow>(
            $"SELECT * FROM migration_objects WHERE migration_id = @id AND state = 'pending' AND {among} AND id > @afterId ORDER BY id LIMIT @limit",
            parameters)];
    }

    /// <summary>
    /// <c>bucket IN (@bucket0, …)</c> with one parameter per bucket, written out here: Dapper expands a list on SQLite but
    /// hands Npgsql an array, which PostgreSQL's IN does not take.
    /// </summary>
    private static (string Sql, DynamicParameters Parameters) AmongBuckets(IReadOnlyCollection<string> buckets, object others)
    {
        var parameters = new DynamicParameters(others);
        var names = new List<string>();
        foreach (var (bucket, index) in buckets.Select((b, i) => (b, i)))
        {
            parameters.Add($"bucket{index}", bucket);
            names.Add($"@bucket{index}");
        }

        return (names.Count == 0 ? "1 = 0" : $"bucket IN ({string.Join(", ", names)})", parameters);
    }

    /// <summary>Starts a catch-up: the next pass lists the source again and copies what is new or changed.</summary>
    public static Task NextPassAsync(DbConnection connection, DbTransaction transaction, long id) =>
        connection.ExecuteAsync("UPDATE migrations SET pass = pass + 1 WHERE id = @id", new { id }, transaction);

    public static Task ClearCleanupAsync(DbConnection connection, DbTransaction transaction, long id) =>
        connection.ExecuteAsync("UPDATE migrations SET cleanup_deployment_id = NULL WHERE id = @id", new { id }, transaction);


    /// <summary>
    /// Records one page of a pass's listing: new objects are pending, objects whose ETag or size changed since an
    /// earlier pass are pending again, the rest are only marked listed. Returns how many became pending.
    /// </summary>
    public async Task<int> RecordListingAsync(long id, string bucket, long pass, IReadOnlyList<ListedObject> page, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var before = await CountPendingAsync(connection, transaction, id, bucket);
        await connection.ExecuteAsync(
            """
            INSERT INTO migration_objects (migration_id, bucket, object_key, size, source_etag, modified_at, pass, listed_pass, state)
            VALUES (@id, @bucket, @Key, @Size, @ETag, @modified, @pass, @pass, 'pending')
            ON CONFLICT (migration_id, bucket, object_key) DO UPDATE SET
                state = CASE WHEN migration_objects.source_etag <> excluded.source_etag OR migration_objects.size <> excluded.size THEN 'pending' ELSE migration_objects.state END,
                pass = CASE WHEN migration_objects.source_etag <> excluded.source_etag OR migration_objects.size <> excluded.size THEN excluded.pass ELSE migration_objects.pass END,
                attempts = CASE WHEN migration_objects.source_etag <> excluded.source_etag OR migration_objects.size <> excluded.size THEN 0 ELSE migration_objects.attempts END,
                size = excluded.size, source_etag = excluded.source_etag, modified_at = excluded.modified_at, listed_pass = excluded.listed_pass
            """,
            page.Select(o => new { id, bucket, o.Key, o.Size, o.ETag, modified = o.LastModified.ToUnixTimeMilliseconds(), pass }),
            transaction);
        var after = await CountPendingAsync(connection, transaction, id, bucket);
        await transaction.CommitAsync(CancellationToken.None);
        return (int)(after - before);
    }

    private static Task<long> CountPendingAsync(DbConnection connection, DbTransaction transaction, long id, string bucket) =>
        connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM migration_objects WHERE migration_id = @id AND bucket = @bucket AND state = 'pending'", new { id, bucket }, transaction);

    /// <summary>Objects and bytes of one bucket as its last listing found them.</summary>
    public async Task<(long Objects, long Bytes)> CountBucketAsync(long id, string bucket, long pass, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleAsync<(long, long)>(
            "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM migration_objects WHERE migration_id = @id AND bucket = @bucket AND listed_pass = @pass",
            new { id, bucket, pass });
    }

    /// <summary>Objects an earlier pass copied that the pass <paramref name="pass"/> did not list: deleted from the source since.</summary>
    public async Task<IReadOnlyList<(string Bucket, string Key)>> ListDeletedAsync(long id, long pass, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<(string, string)>(
            "SELECT bucket, object_key FROM migration_objects WHERE migration_id = @id AND listed_pass < @pass ORDER BY bucket, object_key",
            new { id, pass })];
    }

    /// <summary>Objects a worker that died left in the middle of their copy.</summary>
    public async Task<IReadOnlyList<MigrationObjectRow>> ListInFlightAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<MigrationObjectRow>(
            "SELECT * FROM migration_objects WHERE migration_id = @id AND state = 'copying' ORDER BY id", new { id })];
    }

    /// <summary>Takes up to <paramref name="limit"/> pending objects of these buckets, marking them in flight.</summary>
    public async Task<IReadOnlyList<MigrationObjectRow>> TakePendingAsync(long id, IReadOnlyCollection<string> buckets, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var (among, parameters) = AmongBuckets(buckets, new { id, limit });
        var rows = (await connection.QueryAsync<MigrationObjectRow>(
            $"SELECT * FROM migration_objects WHERE migration_id = @id AND state = 'pending' AND {among} ORDER BY id LIMIT @limit", parameters, transaction)).ToList();
        await connection.ExecuteAsync(
            "UPDATE migration_objects SET state = 'copying', attempts = attempts + 1 WHERE id = @Id", rows.Select(r => new { r.Id }), transaction);
        await transaction.CommitAsync(CancellationToken.None);
        return rows;
    }

    public async Task MarkCopiedAsync(long objectId, string md5, string verifiedBy, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE migration_objects SET state = 'copied', md5 = @md5, verified_by = @verifiedBy, error = NULL, copied_at = @now WHERE id = @objectId",
            new { objectId, md5, verifiedBy, now = Database.Now() });
    }

    /// <summary>Records a failed attempt: the object is pending again, or failed for good after <paramref name="maxAttempts"/>.</summary>
    public async Task MarkAttemptFailedAsync(long objectId, string error, int maxAttempts, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE migration_objects SET state = CASE WHEN attempts >= @maxAttempts THEN 'failed' ELSE 'pending' END, error = @error WHERE id = @objectId",
            new { objectId, error = error.Length > 1000 ? error[..1000] : error, maxAttempts });
    }

    /// <summary>Puts failed objects back to pending, for a retry of the copy.</summary>
    public async Task RetryFailedAsync(DbConnection connection, DbTransaction transaction, long id) =>
        await connection.ExecuteAsync("UPDATE migration_objects SET state = 'pending', attempts = 0 WHERE migration_id = @id AND state = 'failed'", new { id }, transaction);

    public async Task<IReadOnlyList<MigrationObjectRow>> ListObjectsAsync(long id, string? bucket, string? state, long afterId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<MigrationObjectRow>(
            """
            SELECT * FROM migration_objects
            WHERE migration_id = @id AND (@bucket IS NULL OR bucket = @bucket) AND (@state IS NULL OR state = @state) AND id > @afterId
            ORDER BY id LIMIT @limit
            """,
            new { id, bucket, state, afterId, limit })];
    }

    public async Task<MigrationProgress> ProgressAsync(long id, CancellationToken cancellationToken)
    {
        const long Window = 30_000;
        await using var connection = await database.OpenAsync(cancellationToken);
        var now = Database.Now();
        var row = await connection.QuerySingleAsync<(long Objects, long Bytes, long CopiedObjects, long CopiedBytes, long Failed, long RecentBytes, long? FirstRecent)>(
            """
            SELECT COUNT(*),
                   COALESCE(SUM(size), 0),
                   COALESCE(SUM(CASE WHEN state = 'copied' THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN state = 'copied' THEN size ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN copied_at > @since THEN size ELSE 0 END), 0),
                   MIN(CASE WHEN copied_at > @since THEN copied_at END)
            FROM migration_objects WHERE migration_id = @id AND listed_pass = (SELECT pass FROM migrations WHERE id = @id)
            """,
            new { id, since = now - Window });
        var seconds = row.FirstRecent is { } first ? Math.Max(1, now - first) / 1000.0 : 0;
        return new MigrationProgress(row.Objects, row.Bytes, row.CopiedObjects, row.CopiedBytes, row.Failed, row.RecentBytes, seconds);
    }

    public async Task AppendLogAsync(long id, IReadOnlyList<string> lines, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO migration_log (migration_id, line, at) VALUES (@id, @line, @now)",
            lines.Select(line => new { id, line, now = Database.Now() }));
    }

    public async Task<IReadOnlyList<LogLine>> ReadLogAsync(long id, long afterId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<LogLine>(
            "SELECT id, line, at FROM migration_log WHERE migration_id = @id AND id > @afterId ORDER BY id", new { id, afterId })];
    }

    private static Task RecordTransitionAsync(DbConnection connection, DbTransaction transaction, long id, string from, string to, string actor) =>
        connection.ExecuteAsync(
            "INSERT INTO migration_transitions (migration_id, from_status, to_status, actor, at) VALUES (@id, @from, @to, @actor, @now)",
            new { id, from, to, actor, now = Database.Now() },
            transaction);
}
