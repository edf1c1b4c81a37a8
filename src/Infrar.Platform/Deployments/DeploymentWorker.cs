using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Infrar.Platform.Deployments;

/// <summary>
/// Takes jobs from the durable queue and runs them: plan, then apply (after approval on a protected environment),
/// or destroy. While a job runs its lease is renewed; each pass also ends the deployments of workers that died.
/// </summary>
internal sealed partial class DeploymentWorker(
    PlatformStore store,
    JobQueue queue,
    TofuRunner tofu,
    CredentialProtector protector,
    PlatformOptions options,
    ILogger<DeploymentWorker> logger) : BackgroundService
{
    private const string Actor = "worker";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(logger, options.InstanceName, tofu.Executable);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var deployment in await queue.RecoverAsync(stoppingToken))
                {
                    LogRecovered(logger, deployment);
                }

                var job = await queue.ClaimAsync(options.InstanceName, options.Lease, stoppingToken);
                if (job is null)
                {
                    await Task.Delay(options.Poll, stoppingToken);
                    continue;
                }

                await RunWithLeaseAsync(job, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or IOException)
            {
                LogPassFailed(logger, e);
                await Task.Delay(options.Poll, stoppingToken);
            }
        }
    }

    private async Task RunWithLeaseAsync(ClaimedJob job, CancellationToken stoppingToken)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewAsync(job, lost);
        try
        {
            await RunAsync(job, lost.Token);
            await queue.CompleteAsync(job.Id, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The service is stopping: leave the job running with its lease, so recovery marks it interrupted.
            throw;
        }
        catch (OperationCanceledException)
        {
            // The lease was lost (this worker stalled past it, and recovery ended the deployment): stop quietly.
            LogLeaseLost(logger, job.DeploymentId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await FailAsync(job.DeploymentId, $"{e.GetType().Name}: {e.Message}");
            await queue.CompleteAsync(job.Id, CancellationToken.None);
        }
        finally
        {
            await lost.CancelAsync();
            await renewing;
        }
    }

    /// <summary>Renews the lease until the job ends; if the job is no longer ours, stops it.</summary>
    private async Task RenewAsync(ClaimedJob job, CancellationTokenSource lost)
    {
        try
        {
            while (!lost.IsCancellationRequested)
            {
                await Task.Delay(options.Lease / 3, lost.Token);
                if (!await queue.RenewAsync(job.Id, options.InstanceName, options.Lease, lost.Token))
                {
                    await lost.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The job ended.
        }
    }

    private async Task RunAsync(ClaimedJob job, CancellationToken cancellationToken)
    {
        var deployment = await store.GetDeploymentAsync(job.DeploymentId, cancellationToken)
            ?? throw new InvalidOperationException($"Job {job.Id} names deployment {job.DeploymentId}, which does not exist.");
        var environment = (await store.GetEnvironmentAsync(deployment.EnvironmentId, cancellationToken))!;
        var project = (await store.GetProjectAsync(environment.ProjectId, cancellationToken))!;
        var workspace = await PrepareAsync(deployment, environment, project, cancellationToken);
        var secrets = workspace.Environment.Where(v => !v.Key.StartsWith("TF_VAR_", StringComparison.Ordinal)).Select(v => v.Value).Where(v => v.Length >= 4).ToList();

        async Task<bool> Tofu(string step, params string[] arguments)
        {
            await Log(deployment.Id, $"$ {tofu.Executable} {string.Join(' ', arguments)}", secrets);
            var exit = await tofu.RunAsync(workspace.Directory, arguments, workspace.Environment, line => Log(deployment.Id, line, secrets), cancellationToken);
            if (exit != 0)
            {
                await FailAsync(deployment.Id, $"tofu {step} exited with {exit}; see the log");
            }

            return exit == 0;
        }

        switch (job.Step)
        {
            case "plan":
                await store.TransitionAsync(deployment.Id, DeploymentStatus.Planning, Actor, cancellationToken);
                if (!await Tofu("init", "init", "-input=false", "-no-color") ||
                    !await Tofu("plan", "plan", "-input=false", "-no-color", "-out=tfplan") ||
                    !await SavePlanAsync(deployment.Id, workspace, secrets, cancellationToken))
                {
                    return;
                }

                if (environment.Protected != 0)
                {
                    await store.TransitionAsync(deployment.Id, DeploymentStatus.AwaitingApproval, Actor, cancellationToken);
                    await Log(deployment.Id, "infrar: the environment is protected; the plan waits for another user's approval", secrets);
                    return;
                }

                await store.TransitionAsync(deployment.Id, DeploymentStatus.Applying, Actor, cancellationToken);
                if (await Tofu("apply", "apply", "-input=false", "-no-color", "tfplan"))
                {
                    await store.TransitionAsync(deployment.Id, DeploymentStatus.Succeeded, Actor, cancellationToken);
                }

                return;

            case "apply":
                await RestorePlanFileAsync(deployment.Id, workspace.Directory, cancellationToken);
                if (await Tofu("init", "init", "-input=false", "-no-color") &&
                    await Tofu("apply", "apply", "-input=false", "-no-color", "tfplan"))
                {
                    await store.TransitionAsync(deployment.Id, DeploymentStatus.Succeeded, Actor, cancellationToken);
                }

                return;

            case "destroy":
                await store.TransitionAsync(deployment.Id, DeploymentStatus.Destroying, Actor, cancellationToken);
                if (await Tofu("init", "init", "-input=false", "-no-color") &&
                    await Tofu("plan", "plan", "-destroy", "-input=false", "-no-color", "-out=tfplan") &&
                    await SavePlanAsync(deployment.Id, workspace, secrets, cancellationToken) &&
                    await Tofu("apply", "apply", "-input=false", "-no-color", "tfplan"))
                {
                    await store.TransitionAsync(deployment.Id, DeploymentStatus.Destroyed, Actor, cancellationToken);
                }

                return;

            default:
                throw new InvalidOperationException($"Job {job.Id} has an unknown step '{job.Step}'.");
        }
    }

    private async Task<bool> SavePlanAsync(long deploymentId, Workspace workspace, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        using var json = new MemoryStream();
        var exit = await tofu.RunAsync(workspace.Directory, ["show", "-json", "-no-color", "tfplan"], workspace.Environment, line => Log(deploymentId, line, secrets), cancellationToken, json);
        if (exit != 0)
        {
            await FailAsync(deploymentId, $"tofu show exited with {exit}; see the log");
            return false;
        }

        var planJson = System.Text.Encoding.UTF8.GetString(json.ToArray());
        var summary = PlanSummary.FromPlanJson(planJson);
        var planFile = await File.ReadAllBytesAsync(Path.Combine(workspace.Directory, "tfplan"), cancellationToken);
        await store.SavePlanAsync(deploymentId, planJson, summary, planFile, cancellationToken);
        await Log(deploymentId, $"infrar: plan: {summary.Adds} to add, {summary.Changes} to change, {summary.Destroys} to destroy", secrets);
        return true;
    }

    /// <summary>Puts the saved plan back when this worker did not plan it (another instance, or a new working directory).</summary>
    private async Task RestorePlanFileAsync(long deploymentId, string directory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, "tfplan");
        if (File.Exists(path))
        {
            return;
        }

        var planFile = await store.GetPlanFileAsync(deploymentId, cancellationToken)
            ?? throw new InvalidOperationException($"Deployment {deploymentId} has no saved plan to apply.");
        await File.WriteAllBytesAsync(path, planFile, cancellationToken);
    }

    private sealed record Workspace(string Directory, IReadOnlyDictionary<string, string> Environment);

    private async Task<Workspace> PrepareAsync(DeploymentRow deployment, EnvironmentRow environment, ProjectRow project, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(options.WorkDirectory, $"deployment-{deployment.Id}");
        Directory.CreateDirectory(directory);
        foreach (var (name, content) in JsonSerializer.Deserialize<Dictionary<string, string>>(deployment.Infra)!)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, InfraFiles.EnsureSafeName(name)), content, cancellationToken);
        }

        var stateFolder = Path.Combine(options.StateDirectory, $"environment-{environment.Id}");
        Directory.CreateDirectory(stateFolder);
        var state = JsonSerializer.Deserialize<Dictionary<string, string>>(environment.State)!;
        await File.WriteAllTextAsync(
            Path.Combine(directory, "infrar_backend.tf"),
            StateBackend.Render(environment.Provider, stateFolder, project.Name, environment.Name, environment.Region, state),
            cancellationToken);

        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(environment.Variables)!)
        {
            variables["TF_VAR_" + name] = value;
        }

        if (environment.Credentials is { } credentials)
        {
            foreach (var (name, value) in protector.Unprotect(credentials, CredentialContext(environment)))
            {
                variables[name] = value;
            }
        }

        return new Workspace(directory, variables);
    }

    /// <summary>What credentials are bound to: their environment, so a ciphertext copied elsewhere does not decrypt.</summary>
    public static string CredentialContext(EnvironmentRow environment) => $"project:{environment.ProjectId}/environment:{environment.Name}";

    private Task Log(long deploymentId, string line, IReadOnlyList<string> secrets)
    {
        foreach (var secret in secrets)
        {
            line = line.Replace(secret, "***", StringComparison.Ordinal);
        }

        return store.AppendLogAsync(deploymentId, [line], CancellationToken.None);
    }

    private async Task FailAsync(long deploymentId, string failure)
    {
        var deployment = await store.GetDeploymentAsync(deploymentId, CancellationToken.None);
        if (deployment is null || DeploymentStatus.IsTerminal(deployment.Status))
        {
            return;
        }

        await store.AppendLogAsync(deploymentId, ["infrar: failed: " + failure], CancellationToken.None);
        await store.TransitionAsync(deploymentId, DeploymentStatus.Failed, Actor, CancellationToken.None, failure: failure);
    }

    [LoggerMessage(LogLevel.Information, "Deployment worker {Instance} started; OpenTofu binary {Tofu}")]
    private static partial void LogStarted(ILogger logger, string instance, string tofu);

    [LoggerMessage(LogLevel.Warning, "Deployment {Deployment} was interrupted (its worker stopped) and is now failed")]
    private static partial void LogRecovered(ILogger logger, long deployment);

    [LoggerMessage(LogLevel.Warning, "Deployment {Deployment}: this worker lost its lease and stopped its run")]
    private static partial void LogLeaseLost(ILogger logger, long deployment);

    [LoggerMessage(LogLevel.Error, "A worker pass failed; retrying")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
