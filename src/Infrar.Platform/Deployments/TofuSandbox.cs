using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Infrar.Platform.Deployments;

/// <summary>A host folder a sandboxed run sees, at the same path, read-only unless <see cref="Writable"/>.</summary>
internal sealed record SandboxMount(string Path, bool Writable);

/// <summary>
/// Where each OpenTofu run happens: a bubblewrap sandbox that sees the system's programs and libraries read-only, a
/// private /tmp, and only the folders the run is given (its working copy, the provider mirror, a local environment's
/// bucket folder): nothing of the service's data folder, database, keys or other environments. It has its own process,
/// IPC and host-name namespaces, keeps the network (clouds need it), dies with the service, and, when the service runs
/// as root, runs as an unprivileged user. docs/platform.md says what it guarantees and what it does not.
/// </summary>
internal sealed partial class TofuSandbox
{
    private static readonly string[] SystemFolders = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    // The user database too: programs look up who they run as (the .NET SDK's NuGet retries for ever when it cannot).
    private static readonly string[] SystemConfiguration =
    [
        "/etc/passwd", "/etc/group", "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/host.conf", "/etc/localtime",
        "/etc/ssl", "/etc/ca-certificates", "/etc/pki", "/etc/alternatives",
    ];

    private readonly string? _bubblewrap;
    private readonly string? _setpriv;

    private TofuSandbox(string? bubblewrap, string? setpriv, int uid, int gid)
    {
        _bubblewrap = bubblewrap;
        _setpriv = setpriv;
        Uid = uid;
        Gid = gid;
    }

    public bool Isolated => _bubblewrap is not null;

    /// <summary>The user a sandboxed run is: an unprivileged one when the service is root, else the service's own.</summary>
    public int Uid { get; }

    public int Gid { get; }

    public string Description => _bubblewrap is null
        ? "none: OpenTofu runs as the service's user with its file system (unsafe with untrusted deployers)"
        : $"bubblewrap ({_bubblewrap}), as uid {Uid.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The sandbox the options ask for; refuses to start when it cannot work here rather than run without it.</summary>
    public static async Task<TofuSandbox> CreateAsync(PlatformOptions options)
    {
        if (string.Equals(options.Sandbox, "none", StringComparison.Ordinal))
        {
            return new TofuSandbox(null, null, -1, -1);
        }

        if (!string.Equals(options.Sandbox, "bwrap", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"--sandbox {options.Sandbox}: expected bwrap (the default) or none.");
        }

        var bubblewrap = FindOnPath("bwrap")
            ?? throw new InvalidOperationException(
                "OpenTofu runs in a bubblewrap sandbox, and bwrap is not installed: install the bubblewrap package " +
                "(apt-get install bubblewrap), or start with --sandbox none where every deployer is trusted.");
        TofuSandbox sandbox;
        if (Environment.IsPrivilegedProcess)
        {
            var setpriv = FindOnPath("setpriv")
                ?? throw new InvalidOperationException("The service runs as root, so runs switch to an unprivileged user with setpriv (util-linux), which is not installed.");
            var (uid, gid) = ParseUser(options.SandboxUser);
            sandbox = new TofuSandbox(bubblewrap, setpriv, uid, gid);
        }
        else
        {
            sandbox = new TofuSandbox(bubblewrap, null, (int)geteuid(), (int)getegid());
        }

        await sandbox.ProbeAsync();
        return sandbox;
    }

    /// <summary>The process to start for one command: the program inside the sandbox, with exactly this environment.</summary>
    public ProcessStartInfo Prepare(
        string executable,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        IReadOnlyList<SandboxMount> mounts,
        IReadOnlyDictionary<string, string> environment)
    {
        ProcessStartInfo start;
        if (_bubblewrap is null)
        {
            start = new ProcessStartInfo(executable) { WorkingDirectory = workingDirectory };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start = new ProcessStartInfo(_bubblewrap);
            foreach (var argument in BubblewrapArguments(executable, workingDirectory, mounts))
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add(executable);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;

        // Nothing of the service's own environment (its INFRAR_* settings, its cloud credentials) reaches the run.
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["HOME"] = _bubblewrap is null ? workingDirectory : "/tmp";
        start.Environment["TMPDIR"] = "/tmp";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>Gives the sandbox's user a folder the service made (the run's working copy, a local bucket root).</summary>
    public void GrantOwnership(string path)
    {
        if (_setpriv is not null && chown(path, Uid, Gid) != 0)
        {
            throw new IOException($"Could not give {path} to uid {Uid}: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    private List<string> BubblewrapArguments(string executable, string workingDirectory, IReadOnlyList<SandboxMount> mounts)
    {
        List<string> arguments = _setpriv is null
            ? ["--unshare-all", "--share-net"]
            : ["--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try", "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"];
        arguments.AddRange(["--die-with-parent", "--new-session", "--ro-bind", "/usr", "/usr"]);
        foreach (var folder in SystemFolders)
        {
            var info = new FileInfo(folder);
            if (info.LinkTarget is { } target)
            {
                arguments.AddRange(["--symlink", target, folder]);
            }
            else if (Directory.Exists(folder))
            {
                arguments.AddRange(["--ro-bind", folder, folder]);
            }
        }

        // /etc itself must be readable by the run's user, or none of the files bound in it can be reached.
        arguments.AddRange(["--perms", "0755", "--dir", "/etc"]);
        foreach (var path in SystemConfiguration.Where(p => File.Exists(p) || Directory.Exists(p)))
        {
            arguments.AddRange(["--ro-bind", path, path]);
        }

        arguments.AddRange(["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]);

        var all = mounts.ToList();
        var program = Path.GetFullPath(executable);
        if (!program.StartsWith("/usr/", StringComparison.Ordinal))
        {
            all.Add(new SandboxMount(program, Writable: false));
        }

        var made = new HashSet<string>(StringComparer.Ordinal) { "/", "/tmp", "/usr", "/proc", "/dev", "/etc" };
        foreach (var mount in all)
        {
            foreach (var ancestor in Ancestors(mount.Path).Where(made.Add))
            {
                arguments.AddRange(["--perms", "0755", "--dir", ancestor]);
            }

            arguments.AddRange([mount.Writable ? "--bind" : "--ro-bind", mount.Path, mount.Path]);
            made.Add(mount.Path);
        }

        arguments.AddRange(["--chdir", workingDirectory, "--"]);
        if (_setpriv is not null)
        {
            arguments.AddRange([_setpriv, $"--reuid={Uid.ToString(CultureInfo.InvariantCulture)}", $"--regid={Gid.ToString(CultureInfo.InvariantCulture)}", "--clear-groups", "--"]);
        }

        return arguments;
    }

    private async Task ProbeAsync()
    {
        var probe = Path.Combine(Path.GetTempPath(), $"infrar-sandbox-probe-{Guid.NewGuid():N}");
        Directory.CreateDirectory(probe);
        try
        {
            GrantOwnership(probe);
            var start = Prepare("/bin/sh", ["-c", "touch probe"], probe, [new SandboxMount(probe, Writable: true)], new Dictionary<string, string>());
            using var process = await ProcessLauncher.StartAsync(start);
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)) || process.ExitCode != 0 || !File.Exists(Path.Combine(probe, "probe")))
            {
                throw new InvalidOperationException(
                    $"The bubblewrap sandbox does not work on this machine ({(await error).Trim()}). Unprivileged user namespaces must be " +
                    "enabled (sysctl kernel.unprivileged_userns_clone=1) unless the service runs as root; or start with --sandbox none where every deployer is trusted.");
            }
        }
        finally
        {
            Directory.Delete(probe, recursive: true);
        }
    }

    private static IEnumerable<string> Ancestors(string path)
    {
        var ancestors = new List<string>();
        for (var parent = Path.GetDirectoryName(path); parent is { Length: > 1 }; parent = Path.GetDirectoryName(parent))
        {
            ancestors.Add(parent);
        }

        ancestors.Reverse();
        return ancestors;
    }

    private static (int Uid, int Gid) ParseUser(string user)
    {
        var parts = user.Split(':');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) &&
            int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var gid) && uid > 0 && gid > 0)
        {
            return (uid, gid);
        }

        throw new InvalidOperationException($"--sandbox-user {user}: expected UID:GID of an unprivileged user, as 65534:65534.");
    }

    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint geteuid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    private static partial uint getegid();
}
