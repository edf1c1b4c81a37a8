using System.Text.Json;
using System.Text.RegularExpressions;
using Infrar.Generators.Catalog;
using Infrar.Platform.Api;
using Infrar.Platform.Data;
using Infrar.Platform.Manifest;
using Infrar.Platform.Policies;
using Infrar.Platform.Security;
using Infrar.Platform.Service;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Infrar.Platform.Deployments;

/// <summary>
/// Takes jobs from the durable queue and runs them: plan (a deploy's or a destroy's), the guardrails on a deploy's plan,
/// then apply (after approval on a protected environment). Up to <see cref="PlatformOptions.Jobs"/> jobs run at once,
/// each on its own environment (the queue hands out one job per environment at a time, across instances). Each job
/// runs in a fresh working copy inside the sandbox, deleted when it ends. While a job runs its lease is renewed; each
/// pass also ends the deployments of workers that died.
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

    /// <summary>The most a deployment's recorded outputs may be (names and physical names: a few KiB in practice).</summary>
    private const int MaxOutputsChars = 256 * 1024;

    /// <summary>What signs in to registries (ECR's token exchange).</summary>
    private static readonly HttpClient Registries = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly HealthCheck _health = new(options);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var slots = Math.Max(1, options.Jobs);
        LogStarted(logger, options.InstanceName, slots, tofu.Executable, tofu.Sandbox.Description);
        using var free = new SemaphoreSlim(slots, slots);
        var running = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await free.WaitAsync(stoppingToken);
                ClaimedJob? job = null;
                try
                {
                    foreach (var deployment in await queue.RecoverAsync(stoppingToken))
                    {
                        LogRecovered(logger, deployment);
                    }

                    job = await queue.ClaimAsync(options.InstanceName, options.Lease, stoppingToken);
                }
                catch (Exception e) when (e is System.Data.Common.DbException or IOException)
                {
                    LogPassFailed(logger, e);
                }
                finally
                {
                    if (job is null)
                    {
                        free.Release();
                    }
                }

                if (job is null)
                {
                    await Task.Delay(options.Poll, stoppingToken);
                    continue;
                }

                running.RemoveAll(task => task.IsCompleted);
                running.Add(RunInSlotAsync(job, free, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: running jobs stop with their lease left to run out, so recovery marks them interrupted.
        }

        await Task.WhenAll(running);
    }

    private async Task RunInSlotAsync(ClaimedJob job, SemaphoreSlim free, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await RunWithLeaseAsync(job, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The service is stopping.
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException)
        {
            // The database failed the job's own bookkeeping: its lease runs out, and recovery ends it.
            LogPassFailed(logger, e);
        }
        finally
        {
            free.Release();
        }
    }

    private async Task RunWithLeaseAsync(ClaimedJob job, CancellationToken stoppingToken)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewAsync(job, lost);
        await using var log = new JobLog(store, job.DeploymentId);
        using var activity = Telemetry.Source.StartActivity($"deployment {job.Step}");
        activity?.SetTag("infrar.deployment.id", job.DeploymentId);
        activity?.SetTag("infrar.job.step", job.Step);
        try
        {
            await RunAsync(job, log, lost.Token);
            await log.FlushAsync();
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
            await FailAsync(log, $"{e.GetType().Name}: {e.Message}");
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

    private async Task RunAsync(ClaimedJob job, JobLog log, CancellationToken cancellationToken)
    {
        var deployment = await store.GetDeploymentAsync(job.DeploymentId, cancellationToken)
            ?? throw new InvalidOperationException($"Job {job.Id} names deployment {job.DeploymentId}, which does not exist.");
        var environment = (await store.GetEnvironmentAsync(deployment.EnvironmentId, cancellationToken))!;
        var project = (await store.GetProjectAsync(environment.ProjectId, cancellationToken))!;
        var credentials = environment.Credentials is { } sealedCredentials
            ? protector.Unprotect(sealedCredentials, CredentialContext(environment))
            : new Dictionary<string, string>();
        log.Mask = new SecretMask(credentials.Values);
        if (credentials.Keys.FirstOrDefault(name => CredentialNames.Problem(name) is not null) is { } reserved)
        {
            await FailAsync(log, $"the credential {reserved} is refused: {CredentialNames.Problem(reserved)}; recreate the environment's credentials");
            return;
        }

        using var workspace = RunWorkspace.Create(options, tofu.Sandbox, InfraPolicy.Default.Providers.With(options.AllowedProviders), deployment.Id);
        await queue.RecordProcessAsync(job.Id, null, workspace.Root, CancellationToken.None);
        var state = await PrepareAsync(workspace, deployment, environment, project, cancellationToken);
        var run = new TofuRun(workspace.Directory, Mounts(workspace, environment), RunEnvironment(workspace, environment, deployment, credentials));

        async Task<bool> Tofu(string step, params string[] arguments)
        {
            log.Write($"$ {Path.GetFileName(tofu.Executable)} {string.Join(' ', arguments)}");
            using var activity = Telemetry.Source.StartActivity($"tofu {step}");
            var exit = await tofu.RunAsync(
                run, arguments, line => Write(log, line), cancellationToken,
                onStarted: process => queue.RecordProcessAsync(job.Id, process, null, CancellationToken.None));

            // Kept before the deployment moves on: an ending state frees the environment for the next one, which reads it.
            state = await KeepStateAsync(environment, workspace, state);
            if (exit != 0)
            {
                await FailAsync(log, $"tofu {step} exited with {exit}; see the log");
            }

            return exit == 0;
        }

        try
        {
            switch (job.Step)
            {
                case "build":
                    if (await BuildAsync(log, deployment, environment, project, credentials, cancellationToken) is not { } built)
                    {
                        return;
                    }

                    foreach (var (name, content) in built.Infra)
                    {
                        workspace.Write(name, content);
                    }

                    deployment = (await store.GetDeploymentAsync(deployment.Id, cancellationToken))!;
                    run = run with { Environment = RunEnvironment(workspace, environment, deployment, credentials) };
                    goto case "plan";

                // "destroy" is the plan step of a destroy queued by an earlier version.
                case "plan":
                case "destroy":
                    await MoveAsync(log, DeploymentStatus.Planning, cancellationToken);
                    string[] plan = deployment.Kind == DeploymentStatus.Destroy
                        ? ["plan", "-destroy", "-input=false", "-no-color", "-out=tfplan"]
                        : ["plan", "-input=false", "-no-color", "-out=tfplan"];
                    if (!await Tofu("init", "init", "-input=false", "-no-color") ||
                        !await Tofu("plan", plan) ||
                        await SavePlanAsync(log, workspace, run, cancellationToken) is not { } planJson)
                    {
                        return;
                    }

                    if (deployment.Kind == DeploymentStatus.Deploy && await CheckGuardrailsAsync(log, deployment, environment, planJson, cancellationToken))
                    {
                        return;
                    }

                    if (environment.Protected != 0)
                    {
                        log.Write("infrar: the environment is protected; the plan waits for another user's approval");
                        await MoveAsync(log, DeploymentStatus.AwaitingApproval, cancellationToken);
                        return;
                    }

                    await MoveAsync(log, DeploymentStatus.Executing(deployment.Kind), cancellationToken);
                    await ApplyAsync(log, deployment, environment, run, Tofu, cancellationToken);
                    return;

                case "apply":
                    await RestorePlanFileAsync(deployment.Id, workspace.Directory, cancellationToken);
                    if (await Tofu("init", "init", "-input=false", "-no-color"))
                    {
                        await ApplyAsync(log, deployment, environment, run, Tofu, cancellationToken);
                    }

                    return;

                default:
                    throw new InvalidOperationException($"Job {job.Id} has an unknown step '{job.Step}'.");
            }
        }
        finally
        {
            await KeepStateAsync(environment, workspace, state);
        }
    }

    /// <summary>
    /// Builds a deployment from source in a working copy of its own (what the build ran never shares a folder with the
    /// runs that get the environment's credentials), records the infra and manifest it wrote after the same checks as a
    /// submitted deployment's; null, with the deployment failed, when anything went wrong.
    /// </summary>
    private async Task<BuiltApp?> BuildAsync(
        JobLog log, DeploymentRow deployment, EnvironmentRow environment, ProjectRow project, IReadOnlyDictionary<string, string> credentials, CancellationToken cancellationToken)
    {
        await MoveAsync(log, DeploymentStatus.Building, cancellationToken);
        var source = await store.GetProjectSourceAsync(project.Id, cancellationToken);
        if (source is null)
        {
            await FailAsync(log, $"project {project.Name} has no source to build from (PUT /api/projects/{project.Id}/source)");
            return null;
        }

        var providers = InfraPolicy.Default.Providers.With(options.AllowedProviders);
        using var buildSpace = RunWorkspace.Create(options, tofu.Sandbox, providers, $"deployment-{deployment.Id}-build");
        using var activity = Telemetry.Source.StartActivity("build");
        log.Write($"infrar: building {source.AppPath} from {deployment.SourceRepository ?? source.Repository} at {deployment.SourceCommit ?? deployment.SourceRef} for {environment.Provider}");
        var (built, failure) = await new SourceBuild(tofu, options).RunAsync(deployment, environment, project.Name, source, buildSpace, line => Write(log, line), cancellationToken);
        if (built is null)
        {
            await FailAsync(log, failure!);
            return null;
        }

        if (SourceBuild.Check(built, environment.Provider, new InfraPolicy(providers)) is { Count: > 0 } problems)
        {
            foreach (var problem in problems)
            {
                log.Write("infrar: " + problem);
            }

            await FailAsync(log, $"the infrastructure the build wrote breaks the service's policy ({problems.Count} problems; see the log)");
            return null;
        }

        await store.RecordBuildAsync(deployment.Id, JsonSerializer.Serialize(built.Infra), built.Manifest, built.Commit, cancellationToken);
        log.Write($"infrar: built commit {built.Commit}: {built.Infra.Count} infra files and the manifest{(built.Image is null ? "" : ", and an image")}");

        // The image leaves the build's working copy before it is deleted: pushed from a copy of its own, or kept.
        return built.Image is { } image && !await ShipImageAsync(log, deployment, environment, image, credentials, cancellationToken) ? null : built;
    }

    /// <summary>
    /// Pushes the image the build published to the environment's registry, or keeps it as an archive in the data folder
    /// when the environment names no registry (the local provider: nothing runs it); records what it became. False,
    /// with the deployment failed, when the push failed.
    /// </summary>
    private async Task<bool> ShipImageAsync(
        JobLog log, DeploymentRow deployment, EnvironmentRow environment, BuiltImage image, IReadOnlyDictionary<string, string> credentials, CancellationToken cancellationToken)
    {
        var settings = ImageSettings.Read(environment.Image)!;
        if (settings.Registry is null)
        {
            var folder = Path.Combine(options.DataDirectory, "images");
            Directory.CreateDirectory(folder);
            var kept = Path.Combine(folder, $"deployment-{deployment.Id}.tar");
            File.Move(image.Archive, kept, overwrite: true);
            await store.RecordImageAsync(deployment.Id, kept, image.Digest, cancellationToken);
            log.Write($"infrar: the image {image.Repository}:{image.Tag} ({image.Digest}) is kept as {kept}; the environment names no registry, and its hosting runs nothing");
            return true;
        }

        using var activity = Telemetry.Source.StartActivity("image push");
        var secrets = new List<string>(credentials.Values);
        var (reference, failure) = await new ImagePush(tofu, options, Registries).RunAsync(
            deployment.Id, image, settings, ProviderOf(environment), credentials,
            secret =>
            {
                secrets.Add(secret);
                log.Mask = new SecretMask(secrets);
            },
            line => Write(log, line),
            cancellationToken);
        if (reference is null)
        {
            await FailAsync(log, failure!);
            return false;
        }

        await store.RecordImageAsync(deployment.Id, reference, reference[(reference.LastIndexOf('@') + 1)..], cancellationToken);
        log.Write($"infrar: pushed {reference}; OpenTofu gets it as var.image");
        return true;
    }

    private async Task ApplyAsync(JobLog log, DeploymentRow deployment, EnvironmentRow environment, TofuRun run, Func<string, string[], Task<bool>> tofuCommand, CancellationToken cancellationToken)
    {
        if (await tofuCommand("apply", ["apply", "-input=false", "-no-color", "tfplan"]))
        {
            var healthy = true;
            if (deployment.Kind == DeploymentStatus.Deploy && await SaveOutputsAsync(log, run, cancellationToken) is { } outputs)
            {
                healthy = await CheckHealthAsync(log, environment, outputs, cancellationToken);
            }

            await MoveAsync(log, deployment.Kind == DeploymentStatus.Destroy ? DeploymentStatus.Destroyed : healthy ? DeploymentStatus.Succeeded : DeploymentStatus.Unhealthy, cancellationToken);
        }
    }

    /// <summary>
    /// Waits for the app to answer at the hosting's URL output (as the catalog names it) and records what it found; true
    /// when it answered, or when there is nothing to ask (no URL output, as on the local provider and aws).
    /// </summary>
    private async Task<bool> CheckHealthAsync(JobLog log, EnvironmentRow environment, DeploymentOutputs outputs, CancellationToken cancellationToken)
    {
        if (ProviderOf(environment).Hosting.UrlOutput is not { } output)
        {
            return true;
        }

        var path = ImageSettings.Read(environment.Image)?.Path ?? "/";
        if (HealthCheck.UrlOf(outputs, output, path) is not { } url)
        {
            log.Write($"infrar: no health check: the outputs hold no http(s) URL in {output}");
            return true;
        }

        using var activity = Telemetry.Source.StartActivity("health check");
        log.Write($"infrar: waiting up to {options.HealthTimeout.TotalSeconds:0} s for {url} to answer");
        var result = await _health.WaitAsync(url, line =>
        {
            log.Write(line);
            return Task.CompletedTask;
        }, cancellationToken);
        await store.RecordHealthAsync(log.DeploymentId, result.Write(), cancellationToken);
        if (!result.Healthy)
        {
            log.Write($"infrar: the app is applied but unhealthy: {result.Detail}");
        }

        return result.Healthy;
    }

    /// <summary>
    /// Records the applied infrastructure's outputs (physical names, the service's URL) before the deployment is marked
    /// succeeded, so whoever sees it succeeded sees them. Sensitive outputs are kept by name only. The apply already
    /// happened, so a failure here is logged and leaves the deployment succeeded without outputs.
    /// </summary>
    private async Task<DeploymentOutputs?> SaveOutputsAsync(JobLog log, TofuRun run, CancellationToken cancellationToken)
    {
        using var json = new MemoryStream();
        var exit = await tofu.RunAsync(run, ["output", "-json", "-no-color"], line => Write(log, line), cancellationToken, json);
        if (exit != 0)
        {
            log.Write($"infrar: the outputs were not recorded: tofu output exited with {exit}");
            return null;
        }

        DeploymentOutputs outputs;
        try
        {
            outputs = DeploymentOutputs.FromOutputJson(log.Mask.Apply(System.Text.Encoding.UTF8.GetString(json.ToArray())));
        }
        catch (System.Text.Json.JsonException e)
        {
            log.Write($"infrar: the outputs were not recorded: tofu output wrote no JSON object ({e.Message})");
            return null;
        }

        var recorded = System.Text.Json.JsonSerializer.Serialize(outputs, DeploymentOutputs.Json);
        if (recorded.Length > MaxOutputsChars)
        {
            log.Write($"infrar: the outputs were not recorded: {recorded.Length} characters of them, more than the {MaxOutputsChars} a deployment keeps");
            return null;
        }

        await store.SaveOutputsAsync(log.DeploymentId, recorded, cancellationToken);
        log.Write($"infrar: recorded {outputs.Values.Count} outputs{(outputs.Sensitive.Count > 0 ? $" ({outputs.Sensitive.Count} sensitive, by name only)" : "")}");
        return outputs;
    }

    /// <summary>Moves the deployment on, after its log so far is stored: a reader sees every line before the status that follows.</summary>
    private async Task MoveAsync(JobLog log, string to, CancellationToken cancellationToken)
    {
        await log.FlushAsync();
        await store.TransitionAsync(log.DeploymentId, to, Actor, cancellationToken);
    }

    /// <summary>Evaluates the guardrails on the plan; true when it broke one and now waits as policy_denied.</summary>
    private async Task<bool> CheckGuardrailsAsync(JobLog log, DeploymentRow deployment, EnvironmentRow environment, string planJson, CancellationToken cancellationToken)
    {
        var policies = new List<ScopedPolicy>();
        foreach (var (scope, id, source) in new[] { ("project", environment.ProjectId, "project policy"), ("environment", environment.Id, "environment policy") })
        {
            if (await store.GetPolicyAsync(scope, id, cancellationToken) is { } document && GuardrailPolicy.Parse(document).Policy is { } policy)
            {
                policies.Add(new ScopedPolicy(source, policy));
            }
        }

        var manifest = deployment.Manifest is { } json ? ManifestDocument.TryParse(json) : null;
        var violations = PlanGuardrails.Evaluate(planJson, environment.Provider, manifest, policies);
        if (violations.Count == 0)
        {
            log.Write("infrar: guardrails: the plan breaks none");
            return false;
        }

        foreach (var violation in violations)
        {
            log.Write($"infrar: guardrail {violation.Rule} ({violation.Source}) refuses {violation.Resource}: {violation.Message}");
        }

        log.Write($"infrar: {violations.Count} guardrail violation(s); an admin may waive them (infrar waive {deployment.Id} --reason …), or cancel the deployment");
        await log.FlushAsync();
        await store.DenyAsync(deployment.Id, JsonSerializer.Serialize(violations, GuardrailPolicy.Json), Actor, cancellationToken);
        return true;
    }

    /// <summary>Keeps the plan (JSON and counts for people, the plan file for whichever worker applies it); null when show failed.</summary>
    private async Task<string?> SavePlanAsync(JobLog log, RunWorkspace workspace, TofuRun run, CancellationToken cancellationToken)
    {
        using var json = new MemoryStream();
        var exit = await tofu.RunAsync(run, ["show", "-json", "-no-color", "tfplan"], line => Write(log, line), cancellationToken, json);
        if (exit != 0)
        {
            await FailAsync(log, $"tofu show exited with {exit}; see the log");
            return null;
        }

        var planJson = log.Mask.Apply(System.Text.Encoding.UTF8.GetString(json.ToArray()));
        var summary = PlanSummary.FromPlanJson(planJson);
        var planFile = await File.ReadAllBytesAsync(Path.Combine(workspace.Directory, "tfplan"), cancellationToken);

        // Stored and shown without the values OpenTofu marks sensitive; the guardrails read the whole plan, in memory.
        await store.SavePlanAsync(log.DeploymentId, PlanRedaction.Redact(planJson), summary, planFile, cancellationToken);
        log.Write($"infrar: plan: {summary.Adds} to add, {summary.Changes} to change, {summary.Destroys} to destroy");
        return planJson;
    }

    /// <summary>Puts the saved plan into the fresh working copy the apply runs in.</summary>
    private async Task RestorePlanFileAsync(long deploymentId, string directory, CancellationToken cancellationToken)
    {
        var planFile = await store.GetPlanFileAsync(deploymentId, cancellationToken)
            ?? throw new InvalidOperationException($"Deployment {deploymentId} has no saved plan to apply.");
        await File.WriteAllBytesAsync(Path.Combine(directory, "tfplan"), planFile, cancellationToken);
    }

    /// <summary>Writes the deployment's files, the service's backend and a local environment's state; returns that state.</summary>
    private async Task<string?> PrepareAsync(RunWorkspace workspace, DeploymentRow deployment, EnvironmentRow environment, ProjectRow project, CancellationToken cancellationToken)
    {
        foreach (var (name, content) in JsonSerializer.Deserialize<Dictionary<string, string>>(deployment.Infra)!)
        {
            if (InfraPolicy.FileNameProblem(name) is { } problem)
            {
                throw new InvalidOperationException($"Refusing infra file: {problem}.");
            }

            workspace.Write(name, content);
        }

        var settings = JsonSerializer.Deserialize<Dictionary<string, string>>(environment.State)!;
        workspace.Write("infrar_backend.tf", StateBackend.Render(ProviderOf(environment), project.Name, environment.Name, environment.Region, settings));
        if (!ProviderOf(environment).State.KeptByService)
        {
            return null;
        }

        var state = await store.GetEnvironmentStateAsync(environment.Id, cancellationToken);
        var legacy = Path.Combine(options.LegacyStateDirectory, $"environment-{environment.Id}", "terraform.tfstate");
        if (state is null && File.Exists(legacy))
        {
            state = await File.ReadAllTextAsync(legacy, cancellationToken);
        }

        if (state is not null)
        {
            workspace.Write("terraform.tfstate", state);
            tofu.Sandbox.GrantOwnership(workspace.StateFile);
        }

        return state;
    }

    /// <summary>Keeps what a command wrote to a local environment's state, even when it failed halfway; returns the state kept.</summary>
    private async Task<string?> KeepStateAsync(EnvironmentRow environment, RunWorkspace workspace, string? before)
    {
        if (!ProviderOf(environment).State.KeptByService || !File.Exists(workspace.StateFile))
        {
            return before;
        }

        var state = await File.ReadAllTextAsync(workspace.StateFile, CancellationToken.None);
        if (state != before && LocalState.Serial(state) is { } serial)
        {
            await store.SaveEnvironmentStateAsync(environment.Id, state, serial, CancellationToken.None);
        }

        return state;
    }

    /// <summary>What the sandbox sees besides the system: the working copy, the CLI configuration, the provider mirror, a local environment's buckets.</summary>
    private List<SandboxMount> Mounts(RunWorkspace workspace, EnvironmentRow environment)
    {
        var mounts = new List<SandboxMount>
        {
            new(workspace.Directory, Writable: true),
            new(workspace.CliConfiguration, Writable: false),
        };
        if (Directory.Exists(options.ProviderMirrorDirectory))
        {
            mounts.Add(new SandboxMount(options.ProviderMirrorDirectory, Writable: false));
        }

        if (WrittenFolder(environment) is { } root)
        {
            if (!Directory.Exists(root))
            {
                Directory.CreateDirectory(root);
                tofu.Sandbox.GrantOwnership(root);
            }

            mounts.Add(new SandboxMount(root, Writable: true));
        }

        return mounts;
    }

    private Dictionary<string, string> RunEnvironment(RunWorkspace workspace, EnvironmentRow environment, DeploymentRow deployment, IReadOnlyDictionary<string, string> credentials)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["TF_CLI_CONFIG_FILE"] = workspace.CliConfiguration };
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(environment.Variables)!)
        {
            variables["TF_VAR_" + name] = value;
        }

        // The image the deployment pushed is the hosting's var.image, over any the environment's variables name.
        if (deployment.Image is { } image && !Path.IsPathRooted(image))
        {
            variables["TF_VAR_image"] = image;
        }

        if (ProviderOf(environment).FolderVariable is { } folder)
        {
            variables["TF_VAR_" + folder] = WrittenFolder(environment)!;
        }

        foreach (var (name, value) in credentials)
        {
            variables[name] = value;
        }

        return variables;
    }

    private static ProviderCatalog ProviderOf(EnvironmentRow environment) => EmbeddedCatalog.Value.Providers[environment.Provider];

    /// <summary>
    /// The folder on this machine the environment's runs write, for a provider that has one (the local provider's
    /// buckets): its variable when set, else the folder Infrar.Sdk's local store uses by default. Null for the clouds.
    /// </summary>
    internal static string? WrittenFolder(EnvironmentRow environment) =>
        ProviderOf(environment).FolderVariable is not { } variable ? null
        : JsonSerializer.Deserialize<Dictionary<string, string>>(environment.Variables)!.GetValueOrDefault(variable) is { Length: > 0 } root ? Path.GetFullPath(root)
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "infrar", "storage");

    /// <summary>What credentials are bound to: their environment, so a ciphertext copied elsewhere does not decrypt.</summary>
    public static string CredentialContext(EnvironmentRow environment) => $"project:{environment.ProjectId}/environment:{environment.Name}";

    private static Task Write(JobLog log, string line)
    {
        log.Write(line);
        return Task.CompletedTask;
    }

    private async Task FailAsync(JobLog log, string failure)
    {
        var deployment = await store.GetDeploymentAsync(log.DeploymentId, CancellationToken.None);
        if (deployment is null || DeploymentStatus.IsTerminal(deployment.Status))
        {
            return;
        }

        failure = log.Mask.Apply(failure);
        log.Write("infrar: failed: " + failure);
        await log.FlushAsync();
        await store.TransitionAsync(log.DeploymentId, DeploymentStatus.Failed, Actor, CancellationToken.None, failure: failure);
    }

    [LoggerMessage(LogLevel.Information, "Deployment worker {Instance} started, running up to {Jobs} jobs at once; OpenTofu binary {Tofu}; sandbox {Sandbox}")]
    private static partial void LogStarted(ILogger logger, string instance, int jobs, string tofu, string sandbox);

    [LoggerMessage(LogLevel.Warning, "Deployment {Deployment} was left by a worker that stopped: failed as interrupted, or queued again when it had not started")]
    private static partial void LogRecovered(ILogger logger, long deployment);

    [LoggerMessage(LogLevel.Warning, "Deployment {Deployment}: this worker lost its lease and stopped its run")]
    private static partial void LogLeaseLost(ILogger logger, long deployment);

    [LoggerMessage(LogLevel.Error, "A worker pass failed; retrying")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}

/// <summary>Which names a credential may have: it becomes an environment variable of the run, so none that steers OpenTofu or the process.</summary>
internal static partial class CredentialNames
{
    public static string? Problem(string name) =>
        Reserved().IsMatch(name) ? $"{name} would be read by OpenTofu or the process itself (as a variable, a setting or a search path), not passed to a provider"
        : !Shape().IsMatch(name) ? "a credential is passed as an environment variable: upper-case letters, digits and '_'"
        : null;

    [GeneratedRegex("^[A-Z_][A-Z0-9_]{0,127}$")]
    private static partial Regex Shape();

    [GeneratedRegex("^(TF_.*|TOFU_.*|LD_.*|LC_.*|CHECKPOINT_.*|GO(DEBUG|MAXPROCS|GC|TRACEBACK|MEMLIMIT)|PATH|HOME|TMPDIR|LANG|SHELL|USER)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Reserved();
}
