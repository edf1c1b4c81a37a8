using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Manifest;
using Infrar.Platform.Migrations.Stores;
using Infrar.Platform.Migrations.Transfers;
using Infrar.Platform.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Infrar.Platform.Migrations;

/// <summary>
/// Runs migrations' steps: planning (list the source, price, plan), provisioning (the target's deployment, through the
/// deployment state machine), copying, verifying and cleaning up (the source's destroy, through the destroy path). A
/// step is claimed with a lease that this worker renews while it runs; a step whose worker died (its lease ran out) is
/// claimed again by whichever worker comes next, and the copy picks up where the database says it was.
/// </summary>
internal sealed partial class MigrationWorker(
    MigrationStore migrations,
    PlatformStore store,
    CredentialProtector protector,
    PlatformOptions options,
    TofuRunner tofu,
    ILogger<MigrationWorker> logger) : BackgroundService
{
    private readonly TransferRunner _transfers = new(tofu, migrations, protector, options);

    private const string Actor = "migration-worker";

    /// <summary>How long a migration waiting on a deployment sleeps before it looks again.</summary>
    private static readonly TimeSpan DeploymentPoll = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            MigrationRow? migration = null;
            try
            {
                migration = await migrations.ClaimAsync(options.InstanceName, options.Lease, stoppingToken);
                if (migration is not null)
                {
                    await RunWithLeaseAsync(migration, stoppingToken);
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever failed, the service stays up: its deployments must not stop with a migration's bookkeeping.
                LogPassFailed(logger, e);
            }

            await Task.Delay(options.Poll, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task RunWithLeaseAsync(MigrationRow migration, CancellationToken stoppingToken)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewAsync(migration, lost);
        var mask = SecretMask.None;
        async Task Log(string line) => await migrations.AppendLogAsync(migration.Id, [mask.Apply(line)], CancellationToken.None);
        try
        {
            var source = MigrationSide.Open(
                await store.RequireEnvironmentAsync(migration.SourceEnvironmentId, lost.Token),
                await store.RequireDeploymentAsync(migration.SourceDeploymentId, lost.Token),
                protector);
            var targetEnvironment = await store.RequireEnvironmentAsync(migration.TargetEnvironmentId, lost.Token);
            var targetDeployment = migration.TargetDeploymentId is { } targetId ? await store.RequireDeploymentAsync(targetId, lost.Token) : null;
            var target = targetDeployment is null ? null : MigrationSide.Open(targetEnvironment, targetDeployment, protector);
            mask = new SecretMask(source.Secrets.Concat(target?.Secrets ?? []));
            await StepAsync(migration, source, targetEnvironment, targetDeployment, target, Log, lost.Token);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            // Stopping, or the lease was lost: the step is taken up again from what the database holds.
        }
        catch (Exception e)
        {
            var failure = mask.Apply(e is MigrationInputException or VerificationException ? e.Message : $"{e.GetType().Name}: {e.Message}");
            await Log("infrar: failed: " + failure);
            await MoveAsync(migration, MigrationStatus.Failed, failure);
        }
        finally
        {
            await lost.CancelAsync();
            await renewing;
        }
    }

    private async Task StepAsync(
        MigrationRow migration, MigrationSide source, EnvironmentRow targetEnvironment, DeploymentRow? targetDeployment, MigrationSide? target, Func<string, Task> log, CancellationToken cancellationToken)
    {
        if (MigrationStatus.IsTerminal(migration.Status))
        {
            await EndTransferAsync(migration, source, target, log, cancellationToken);
            return;
        }

        switch (migration.Status)
        {
            case MigrationStatus.Planning:
            {
                await log($"infrar: listing {source.Environment.Name} ({source.Environment.Provider}, deployment {source.Deployment.Id})");
                var buckets = await MigrationPlanner.ListAsync(migrations, migration.Id, 1, source, log, cancellationToken);
                var targetManifest = migration.TargetManifest is { } json
                    ? ManifestDocument.TryParse(json) ?? throw new MigrationInputException("the target's manifest is not one this version reads")
                    : source.Manifest();
                var plan = MigrationPlanner.Build(source, targetEnvironment, targetDeployment, targetManifest, buckets, migration.TransferThreshold ?? options.MigrationTransferThreshold);
                await migrations.UpdateAsync(migration.Id, cancellationToken, plan: JsonSerializer.Serialize(plan, MigrationPlan.Json), listed: 1);
                await log($"infrar: plan: {plan.Objects} objects, {MigrationPlanner.Bytes(plan.Bytes)} in {plan.Buckets.Count} buckets; about {plan.EstimatedSeconds:0} s to copy");
                foreach (var bucket in plan.Buckets)
                {
                    await log($"infrar: bucket {bucket.Name}: {TransferEngines.Title(bucket.Engine)}: {bucket.Why}");
                }

                await MoveAsync(migration, MigrationStatus.Planned);
                return;
            }

            case MigrationStatus.Provisioning:
                await ProvisionAsync(migration, targetEnvironment, targetDeployment, log, cancellationToken);
                return;

            case MigrationStatus.Copying:
            {
                var to = target ?? throw new MigrationInputException("the target has no deployment to copy into");
                if (migration.Listed < migration.Pass)
                {
                    await log($"infrar: catch-up pass {migration.Pass}: listing {source.Environment.Name} again");
                    await MigrationPlanner.ListAsync(migrations, migration.Id, migration.Pass, source, log, cancellationToken);
                    var deleted = await migrations.ListDeletedAsync(migration.Id, migration.Pass, cancellationToken);
                    foreach (var (bucket, key) in deleted.Take(100))
                    {
                        await log($"infrar: deleted from the source since the last pass (left on the target): {bucket}/{key}");
                    }

                    await log($"infrar: {deleted.Count} objects deleted from the source since the last pass; they are left on the target");
                    await migrations.UpdateAsync(migration.Id, cancellationToken, listed: migration.Pass);
                }

                var plan = PlanOf(migration);
                var byService = plan.Buckets.Where(b => !b.ByTransferService).Select(b => b.Name).ToList();
                if (byService.Count > 0)
                {
                    var started = DateTimeOffset.UtcNow;
                    var copied = await new CopyEngine(migrations, source, to, options.MigrationParallelism, log, byService).RunAsync(migration.Id, cancellationToken);
                    var progress = await migrations.ProgressAsync(migration.Id, cancellationToken);
                    if (copied > 0 || migration.TransferPass != migration.Pass)
                    {
                        await log($"infrar: pass {migration.Pass}: copied {copied} objects in {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s; {progress.CopiedObjects} of {progress.Objects} objects on the target");
                    }

                    if (progress.FailedObjects > 0)
                    {
                        throw new VerificationException($"{progress.FailedObjects} objects could not be copied after {CopyEngine.MaxAttempts} attempts; see the log and GET /api/migrations/{migration.Id}/objects?state=failed, then retry");
                    }
                }

                if (plan.Buckets.Any(b => b.ByTransferService) &&
                    !await new TransferPass(migrations, _transfers, options, log).RunAsync(migration, plan, source, to, cancellationToken))
                {
                    // The cloud's transfer service is still copying: look again later, without holding the lease meanwhile.
                    await migrations.ReleaseAsync(migration.Id, options.InstanceName, options.MigrationTransferPoll, CancellationToken.None);
                    return;
                }

                await MoveAsync(migration, MigrationStatus.Verifying);
                return;
            }

            case MigrationStatus.Verifying:
            {
                var to = target ?? throw new MigrationInputException("the target has no deployment to verify");
                var (checkedCount, problems) = await new Verifier(migrations, source, to, options.MigrationParallelism).RunAsync(migration.Id, complete: false, limit: 100, cancellationToken);
                foreach (var problem in problems)
                {
                    await log("infrar: verification: " + problem);
                }

                if (problems.Count > 0)
                {
                    throw new VerificationException($"verification found {problems.Count}{(problems.Count == 100 ? " or more" : "")} objects that differ on the target; see the log, then retry");
                }

                await log($"infrar: verified {checkedCount} objects on {targetEnvironment.Name}: each present with its size, content type, metadata and MD5");
                await MoveAsync(migration, MigrationStatus.Ready);
                return;
            }

            case MigrationStatus.CleaningUp:
                await CleanUpAsync(migration, source, target!, log, cancellationToken);
                return;

            default:
                await migrations.ReleaseAsync(migration.Id, options.InstanceName, TimeSpan.Zero, CancellationToken.None);
                return;
        }
    }

    /// <summary>
    /// Starts the target's deployment with the target build's infra (once), then waits for it: succeeded moves on to the
    /// copy, a failed or cancelled one fails the migration.
    /// </summary>
    private async Task ProvisionAsync(MigrationRow migration, EnvironmentRow targetEnvironment, DeploymentRow? targetDeployment, Func<string, Task> log, CancellationToken cancellationToken)
    {
        if (targetDeployment is null)
        {
            var infra = migration.TargetInfra ?? throw new MigrationInputException("the migration has neither the target build's infra nor a deployment of the target");
            // Requested in the name of the migration's requester: on a protected target someone else must approve it.
            var deployment = await store.CreateDeploymentAsync(targetEnvironment.Id, DeploymentStatus.Deploy, infra, migration.TargetManifest, migration.RequestedBy, cancellationToken);
            await store.AppendLogAsync(deployment.Id, [$"infrar: submitted by migration {migration.Id}, requested by {migration.RequestedBy}"], cancellationToken);
            await migrations.UpdateAsync(migration.Id, cancellationToken, targetDeploymentId: deployment.Id);
            await log($"infrar: provisioning {targetEnvironment.Name}: deployment {deployment.Id}{(targetEnvironment.Protected != 0 ? " (protected: it waits for another user's approval)" : "")}");
        }
        else if (targetDeployment.Status == DeploymentStatus.Succeeded)
        {
            await log($"infrar: {targetEnvironment.Name} is deployed (deployment {targetDeployment.Id}); copying");
            await MoveAsync(migration, MigrationStatus.Copying);
            return;
        }
        else if (DeploymentStatus.IsTerminal(targetDeployment.Status))
        {
            throw new MigrationInputException($"the target's deployment {targetDeployment.Id} ended {targetDeployment.Status}{(targetDeployment.Failure is { } failure ? ": " + failure : "")}");
        }

        await migrations.ReleaseAsync(migration.Id, options.InstanceName, DeploymentPoll, CancellationToken.None);
    }

    /// <summary>
    /// Verifies that every object the source holds now is on the target, whole; only then starts the source's destroy
    /// (once), and waits for it. A failed verification or destroy returns the migration to cut_over with the reason.
    /// </summary>
    private async Task CleanUpAsync(MigrationRow migration, MigrationSide source, MigrationSide target, Func<string, Task> log, CancellationToken cancellationToken)
    {
        if (migration.CleanupDeploymentId is not { } destroyId)
        {
            var (checkedCount, problems) = await new Verifier(migrations, source, target, options.MigrationParallelism).RunAsync(migration.Id, complete: true, limit: 100, cancellationToken);
            foreach (var problem in problems)
            {
                await log("infrar: cleanup verification: " + problem);
            }

            if (problems.Count > 0)
            {
                var reason = $"cleanup refused: {problems.Count}{(problems.Count == 100 ? " or more" : "")} objects of the source are not whole on the target; nothing was destroyed";
                await log("infrar: " + reason);
                await MoveAsync(migration, MigrationStatus.CutOver, reason);
                return;
            }

            await log($"infrar: cleanup verification: {checkedCount} objects whole on {target.Environment.Name}, and nothing on the source missing from it");
            var destroy = await store.CreateDeploymentAsync(
                source.Environment.Id, DeploymentStatus.Destroy, source.Deployment.Infra, source.Deployment.Manifest, migration.RequestedBy, cancellationToken);
            await store.AppendLogAsync(destroy.Id, [$"infrar: submitted by migration {migration.Id}'s cleanup, requested by {migration.RequestedBy}"], cancellationToken);
            await migrations.UpdateAsync(migration.Id, cancellationToken, cleanupDeploymentId: destroy.Id);
            await log($"infrar: destroying {source.Environment.Name}: deployment {destroy.Id}{(source.Environment.Protected != 0 ? " (protected: it waits for another user's approval)" : "")}");
        }
        else if (await store.RequireDeploymentAsync(destroyId, cancellationToken) is { } destroy && DeploymentStatus.IsTerminal(destroy.Status))
        {
            if (destroy.Status == DeploymentStatus.Destroyed)
            {
                await log($"infrar: {source.Environment.Name} destroyed (deployment {destroy.Id}); the migration is done");
                await MoveAsync(migration, MigrationStatus.CleanedUp);
            }
            else
            {
                var reason = $"the source's destroy (deployment {destroy.Id}) ended {destroy.Status}{(destroy.Failure is { } failure ? ": " + failure : "")}";
                await log("infrar: " + reason);
                await MoveAsync(migration, MigrationStatus.CutOver, reason, clearCleanup: true);
            }

            return;
        }

        await migrations.ReleaseAsync(migration.Id, options.InstanceName, DeploymentPoll, CancellationToken.None);
    }

    /// <summary>
    /// A migration that ended while a cloud's transfer job it created may still exist: destroys the job (it holds the
    /// source's keys). When that fails, the worker tries again after the transfer poll.
    /// </summary>
    private async Task EndTransferAsync(MigrationRow migration, MigrationSide source, MigrationSide? target, Func<string, Task> log, CancellationToken cancellationToken)
    {
        var wait = TimeSpan.Zero;
        try
        {
            await log($"infrar: the migration is {migration.Status}; destroying the transfer jobs it created");
            await new TransferPass(migrations, _transfers, options, log).DestroyAsync(
                migration, source, target ?? throw new MigrationInputException("the target has no deployment"), cancellationToken);
        }
        catch (Exception e) when (e is VerificationException or MigrationInputException)
        {
            await log("infrar: " + e.Message);
            wait = options.MigrationTransferPoll;
        }

        await migrations.ReleaseAsync(migration.Id, options.InstanceName, wait, CancellationToken.None);
    }

    private static MigrationPlan PlanOf(MigrationRow migration) =>
        migration.Plan is { } json ? JsonSerializer.Deserialize<MigrationPlan>(json, MigrationPlan.Json)! : throw new MigrationInputException("the migration has no plan");

    private async Task MoveAsync(MigrationRow migration, string to, string? failure = null, bool clearCleanup = false)
    {
        try
        {
            await migrations.TransitionAsync(
                migration.Id, to, Actor, CancellationToken.None, failure, expectedFrom: migration.Status,
                also: clearCleanup ? (connection, transaction, _) => MigrationStore.ClearCleanupAsync(connection, transaction, migration.Id) : null);
        }
        catch (IllegalTransitionException e)
        {
            // Someone moved it meanwhile (a rollback, a cancel): their move stands.
            LogMovedMeanwhile(logger, migration.Id, e.Message);
        }
    }

    /// <summary>Renews the lease while the step runs; when the migration is no longer this worker's, stops the step.</summary>
    private async Task RenewAsync(MigrationRow migration, CancellationTokenSource lost)
    {
        try
        {
            while (!lost.IsCancellationRequested)
            {
                await Task.Delay(options.Lease / 3, lost.Token);
                if (!await migrations.RenewAsync(migration.Id, options.InstanceName, migration.Status, options.Lease, lost.Token))
                {
                    await lost.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The step ended.
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException)
        {
            LogPassFailed(logger, e);
        }
    }

    [LoggerMessage(LogLevel.Information, "Migration {Migration} was moved by someone else meanwhile: {Message}")]
    private static partial void LogMovedMeanwhile(ILogger logger, long migration, string message);

    [LoggerMessage(LogLevel.Error, "A migration worker pass failed; retrying")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
