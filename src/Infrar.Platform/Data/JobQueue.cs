using Dapper;
using Infrar.Platform.Deployments;

namespace Infrar.Platform.Data;

/// <summary>A job claimed by a worker, with the deployment and environment it works on.</summary>
internal sealed record ClaimedJob(long Id, long DeploymentId, long EnvironmentId, string Step);

/// <summary>
/// The durable work queue. A job is claimed only together with its environment's lock, which the deployment keeps
/// until it ends, so one environment runs one deployment at a time, across every instance sharing the Database.
/// A claimed job carries a lease that its worker renews; a lease that runs out means the worker died.
/// </summary>
internal sealed class JobQueue(PlatformStore store, PlatformOptions options)
{
    private Database Database => store.Database;

    public async Task<ClaimedJob?> ClaimAsync(string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        await using var transaction = await Database.BeginWriteAsync(connection, cancellationToken);
        var candidates = await connection.QueryAsync<(long Id, long DeploymentId, long EnvironmentId, string Step)>(
            """
            SELECT j.id, j.deployment_id, d.environment_id, j.step
            FROM jobs j JOIN deployments d ON d.id = j.deployment_id
            WHERE j.state = 'queued'
            ORDER BY j.id
            """ + (Database.Dialect == Dialect.Postgres ? " FOR UPDATE OF j SKIP LOCKED" : ""),
            transaction: transaction);
        foreach (var job in candidates)
        {
            await connection.ExecuteAsync(
                "INSERT INTO environment_locks (environment_id, deployment_id, acquired_at) VALUES (@EnvironmentId, @DeploymentId, @now) ON CONFLICT (environment_id) DO NOTHING",
                new { job.EnvironmentId, job.DeploymentId, now = Database.Now() },
                transaction);
            var holder = await connection.ExecuteScalarAsync<long>(
                "SELECT deployment_id FROM environment_locks WHERE environment_id = @EnvironmentId", new { job.EnvironmentId }, transaction);
            if (holder != job.DeploymentId)
            {
                continue;
            }

            await connection.ExecuteAsync(
                "UPDATE jobs SET state = 'running', owner = @owner, lease_until = @until WHERE id = @Id",
                new { job.Id, owner, until = Database.Now() + (long)lease.TotalMilliseconds },
                transaction);
            await transaction.CommitAsync(cancellationToken);
            return new ClaimedJob(job.Id, job.DeploymentId, job.EnvironmentId, job.Step);
        }

        await transaction.RollbackAsync(cancellationToken);
        return null;
    }

    /// <summary>Extends a running job's lease; false when the job is no longer this worker's.</summary>
    public async Task<bool> RenewAsync(long jobId, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE jobs SET lease_until = @until WHERE id = @jobId AND owner = @owner AND state = 'running'",
            new { jobId, owner, until = Database.Now() + (long)lease.TotalMilliseconds }) == 1;
    }

    /// <summary>Records the process a job has running and its working copy, for recovery to find if the worker dies.</summary>
    public async Task RecordProcessAsync(long jobId, ProcessIdentity? process, string? workDir, CancellationToken cancellationToken)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE jobs SET process_id = @id, process_start = @start, process_boot = @boot, work_dir = COALESCE(@workDir, work_dir) WHERE id = @jobId",
            new { jobId, id = (long?)process?.Id, start = process?.StartTicks, boot = process?.Boot, workDir });
    }

    public async Task CompleteAsync(long jobId, CancellationToken cancellationToken)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE jobs SET state = 'done', lease_until = NULL WHERE id = @jobId", new { jobId });
    }

    /// <summary>
    /// Finds running jobs whose lease ran out (their worker died) and ends their deployments as failed, interrupted:
    /// the job, the deployment's state, its log line and the lock's release are one transaction. Before that, a process
    /// the job left running on this machine is killed, and the environment stays locked while one is still alive; a
    /// local environment's state is kept from the job's working copy, which is then deleted.
    /// </summary>
    public async Task<IReadOnlyList<long>> RecoverAsync(CancellationToken cancellationToken)
    {
        List<JobRow> expired;
        await using (var reading = await Database.OpenAsync(cancellationToken))
        {
            expired = [.. await reading.QueryAsync<JobRow>(
                "SELECT id, deployment_id, step, state, owner, lease_until, process_id, process_start, process_boot, work_dir FROM jobs WHERE state = 'running' AND lease_until < @now",
                new { now = Database.Now() })];
        }

        var recovered = new List<long>();
        foreach (var job in expired)
        {
            if (job.ProcessId is { } pid && job.ProcessStart is { } started && job.ProcessBoot is { } boot)
            {
                var process = new ProcessIdentity((int)pid, started, boot);
                await process.KillTreeAsync(TimeSpan.FromSeconds(10));
                if (process.IsAlive)
                {
                    continue;
                }
            }

            await SalvageStateAsync(job, cancellationToken);
            await using var connection = await Database.OpenAsync(cancellationToken);
            await using var transaction = await Database.BeginWriteAsync(connection, cancellationToken);
            var taken = await connection.ExecuteAsync(
                "UPDATE jobs SET state = 'interrupted' WHERE id = @Id AND state = 'running' AND lease_until < @now",
                new { job.Id, now = Database.Now() },
                transaction);
            if (taken == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            var status = await connection.ExecuteScalarAsync<string>("SELECT status FROM deployments WHERE id = @DeploymentId", new { job.DeploymentId }, transaction);
            if (status is DeploymentStatus.Queued or DeploymentStatus.DestroyQueued)
            {
                // The worker died between claiming the job and starting it: nothing ran, so the job is simply queued
                // again (its environment stays with its deployment). Interrupting it would leave the deployment queued
                // with no job, holding its environment for good.
                await connection.ExecuteAsync(
                    "UPDATE jobs SET state = 'queued', owner = NULL, lease_until = NULL, process_id = NULL, work_dir = NULL WHERE id = @Id", new { job.Id }, transaction);
                await PlatformStore.InsertLogAsync(connection, transaction, job.DeploymentId, [$"infrar: the worker ({job.Owner}) stopped before starting this deployment; queued again"]);
                await transaction.CommitAsync(cancellationToken);
                RunWorkspace.DeleteLeftover(options, job.WorkDir);
                recovered.Add(job.DeploymentId);
                continue;
            }

            if (status is not null && DeploymentStatus.Working.Contains(status))
            {
                var failure = $"interrupted: the worker ({job.Owner}) stopped while the deployment was {status}; check the environment's state before retrying";
                await store.MoveAsync(connection, transaction, job.DeploymentId, DeploymentStatus.Failed, "recovery", failure);
                await PlatformStore.InsertLogAsync(connection, transaction, job.DeploymentId, ["infrar: " + failure]);
                await PlatformStore.InsertAuditAsync(connection, transaction, "recovery", "deployment.interrupted", $"deployment/{job.DeploymentId}", "failed");
            }

            await transaction.CommitAsync(cancellationToken);
            RunWorkspace.DeleteLeftover(options, job.WorkDir);
            recovered.Add(job.DeploymentId);
        }

        return recovered;
    }

    /// <summary>What a killed apply wrote to a local environment's state is kept, so the next run knows what exists.</summary>
    private async Task SalvageStateAsync(JobRow job, CancellationToken cancellationToken)
    {
        if (job.WorkDir is null || job.ProcessBoot != ProcessIdentity.ThisBoot)
        {
            return;
        }

        var stateFile = Path.Combine(job.WorkDir, "work", "terraform.tfstate");
        if (File.Exists(stateFile) && LocalState.Serial(await File.ReadAllTextAsync(stateFile, cancellationToken)) is { } serial)
        {
            var environment = (await store.GetDeploymentAsync(job.DeploymentId, cancellationToken))!.EnvironmentId;
            await store.SaveEnvironmentStateAsync(environment, await File.ReadAllTextAsync(stateFile, cancellationToken), serial, cancellationToken);
        }
    }
}
