using System.Globalization;
using System.Text;
using Infrar.Platform.Policies;

namespace Infrar.Platform.Deployments;

/// <summary>
/// The folder one job runs in, made fresh under the work root (outside the data folder) and deleted when the job ends:
/// <c>work/</c>, the working copy the sandbox may write, and beside it <c>tofu.rc</c>, the CLI configuration the sandbox
/// may only read, which installs providers from the service's mirror and from nowhere else.
/// </summary>
internal sealed class RunWorkspace : IDisposable
{
    private RunWorkspace(string root)
    {
        Root = root;
        Directory = Path.Combine(root, "work");
        CliConfiguration = Path.Combine(root, "tofu.rc");
    }

    public string Root { get; }

    /// <summary>The working copy: the deployment's files, the backend the service chose, a local environment's state.</summary>
    public string Directory { get; }

    public string CliConfiguration { get; }

    public string StateFile => Path.Combine(Directory, "terraform.tfstate");

    public static RunWorkspace Create(PlatformOptions options, TofuSandbox sandbox, ProviderAllowlist providers, long deploymentId) =>
        Create(options, sandbox, providers, $"deployment-{deploymentId.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>A working copy named after what runs in it (<c>deployment-7</c>, <c>migration-3-transfer</c>).</summary>
    public static RunWorkspace Create(PlatformOptions options, TofuSandbox sandbox, ProviderAllowlist providers, string name)
    {
        var root = Path.Combine(options.WorkRoot, $"{name}-{Guid.NewGuid():N}");
        var workspace = new RunWorkspace(root);
        foreach (var folder in new[] { options.WorkRoot, root, workspace.Directory })
        {
            System.IO.Directory.CreateDirectory(folder);
            if (!OperatingSystem.IsWindows())
            {
                // The working copy itself may be entered by others (the sandbox sets up as a root without privileges
                // before it becomes the copy's owner), but it sits in folders only the service's user can open.
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                    (folder == workspace.Directory ? UnixFileMode.GroupExecute | UnixFileMode.OtherExecute : UnixFileMode.None));
            }
        }

        sandbox.GrantOwnership(workspace.Directory);
        File.WriteAllText(workspace.CliConfiguration, CliConfigurationText(options.ProviderMirrorDirectory, providers));
        return workspace;
    }

    public void Write(string name, string content) => File.WriteAllText(Path.Combine(Directory, name), content);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Recovery or the next start deletes what is left.
        }
    }

    /// <summary>Deletes a working copy left by a job whose worker died; only ever a folder under the work root.</summary>
    public static void DeleteLeftover(PlatformOptions options, string? root)
    {
        if (root is null || !Path.GetFullPath(root).StartsWith(Path.GetFullPath(options.WorkRoot) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return;
        }

        new RunWorkspace(root).Dispose();
    }

    private static string CliConfigurationText(string mirror, ProviderAllowlist providers)
    {
        var include = providers.Providers
            .Where(p => p.Source != ProviderAllowlist.BuiltIn)
            .Select(p => ProviderAllowlist.Normalize(p.Source))
            .SelectMany(source => source.Split('/').Length == 2 ? [$"registry.opentofu.org/{source}", $"registry.terraform.io/{source}"] : new[] { source })
            .Order(StringComparer.Ordinal)
            .Select(Quote);
        var text = new StringBuilder();
        text.Append("# Written by Infrar.Platform: providers come from the service's mirror only, never from a download the configuration chooses.\n");
        text.Append("disable_checkpoint = true\n\n");
        text.Append("provider_installation {\n");
        text.Append("  filesystem_mirror {\n");
        text.Append(CultureInfo.InvariantCulture, $"    path    = {Quote(mirror)}\n");
        text.Append(CultureInfo.InvariantCulture, $"    include = [{string.Join(", ", include)}]\n");
        text.Append("  }\n}\n");
        return text.ToString();
    }

    internal static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("${", "$${", StringComparison.Ordinal).Replace("%{", "%%{", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) + "\"";
}
