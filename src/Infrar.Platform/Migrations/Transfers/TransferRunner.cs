using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;
using Infrar.Platform.Policies;
using Infrar.Platform.Security;

namespace Infrar.Platform.Migrations.Transfers;

/// <summary>
/// Applies and destroys a migration's transfer configuration with OpenTofu, as a deployment runs: in a fresh working
/// copy inside the sandbox, providers from the service's mirror only, the target environment's credentials and
/// variables as the run's environment, the source's keys as sensitive TF_VAR_ values. The state (which holds those
/// keys) is kept in the migration's row sealed with the credentials key, after every command, whatever it did.
/// </summary>
internal sealed class TransferRunner(TofuRunner tofu, MigrationStore store, CredentialProtector protector, PlatformOptions options)
{
    /// <summary>Runs <c>apply</c> or <c>destroy</c>; true when OpenTofu succeeded.</summary>
    public async Task<bool> RunAsync(
        MigrationRow migration,
        string command,
        IReadOnlyDictionary<string, string> files,
        EnvironmentRow target,
        IReadOnlyDictionary<string, string> targetCredentials,
        IReadOnlyDictionary<string, string> variables,
        Func<string, Task> log,
        CancellationToken cancellationToken)
    {
        if (targetCredentials.Keys.FirstOrDefault(name => CredentialNames.Problem(name) is not null) is { } reserved)
        {
            throw new MigrationInputException($"the target's credential {reserved} is refused: {CredentialNames.Problem(reserved)}");
        }

        using var workspace = RunWorkspace.Create(
            options, tofu.Sandbox, InfraPolicy.Default.Providers.With(options.AllowedProviders), $"migration-{migration.Id}-transfer");
        foreach (var (name, content) in files)
        {
            workspace.Write(name, content);
        }

        var state = migration.TransferState is { } sealedState ? protector.Open(sealedState, StateContext(migration.Id)) : null;
        if (state is not null)
        {
            await File.WriteAllBytesAsync(workspace.StateFile, state, cancellationToken);
            tofu.Sandbox.GrantOwnership(workspace.StateFile);
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["TF_CLI_CONFIG_FILE"] = workspace.CliConfiguration };
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(target.Variables)!)
        {
            environment["TF_VAR_" + name] = value;
        }

        foreach (var (name, value) in targetCredentials.Concat(variables))
        {
            environment[name] = value;
        }

        var mounts = new List<SandboxMount> { new(workspace.Directory, Writable: true), new(workspace.CliConfiguration, Writable: false) };
        if (Directory.Exists(options.ProviderMirrorDirectory))
        {
            mounts.Add(new SandboxMount(options.ProviderMirrorDirectory, Writable: false));
        }

        var run = new TofuRun(workspace.Directory, mounts, environment);
        foreach (var arguments in new[] { new[] { "init", "-input=false", "-no-color" }, [command, "-auto-approve", "-input=false", "-no-color"] })
        {
            await log($"$ {Path.GetFileName(tofu.Executable)} {string.Join(' ', arguments)}");
            int exit;
            try
            {
                exit = await tofu.RunAsync(run, arguments, log, cancellationToken);
            }
            finally
            {
                state = await KeepStateAsync(migration.Id, workspace, state);
            }

            if (exit != 0)
            {
                await log($"infrar: tofu {arguments[0]} of the transfer exited with {exit}");
                return false;
            }
        }

        return true;
    }

    /// <summary>What the sealed state is bound to: this migration's transfer.</summary>
    public static string StateContext(long migrationId) => $"migration-transfer:{migrationId}";

    private async Task<byte[]?> KeepStateAsync(long migrationId, RunWorkspace workspace, byte[]? before)
    {
        if (!File.Exists(workspace.StateFile))
        {
            return before;
        }

        var state = await File.ReadAllBytesAsync(workspace.StateFile, CancellationToken.None);
        if (before is null || !state.AsSpan().SequenceEqual(before))
        {
            await store.SaveTransferStateAsync(migrationId, protector.Seal(state, StateContext(migrationId)), CancellationToken.None);
        }

        return state;
    }
}
