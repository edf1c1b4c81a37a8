using System.Diagnostics;
using System.Text;

namespace Infrar.Testing;

/// <summary>
/// A real container registry on a loopback port (Debian's <c>docker-registry</c>, plain HTTP), holding a base image
/// made from this machine's own .NET runtime with <c>umoci</c> and pushed with <c>skopeo</c>: Microsoft's base images
/// cannot be pulled here, and a build of the app on top of this one needs nothing from the network.
/// </summary>
public sealed class LocalRegistry : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly DirectoryInfo _folder;

    private LocalRegistry(Process process, DirectoryInfo folder, int port)
    {
        _process = process;
        _folder = folder;
        Host = $"127.0.0.1:{port}";
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The registry's <c>host:port</c>.</summary>
    public string Host { get; }

    /// <summary>The base image's reference, once <see cref="PushRuntimeBaseImageAsync"/> made it.</summary>
    public string? BaseImage { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<LocalRegistry> StartAsync()
    {
        foreach (var tool in new[] { "docker-registry", "umoci", "skopeo" })
        {
            if (Processes.FindOnPath(tool) is null)
            {
                throw new InvalidOperationException($"{tool} is not installed: eng/install-debian-packages.sh installs Debian's {tool} package.");
            }
        }

        var folder = Directory.CreateTempSubdirectory("infrar-registry-");
        var port = FreePort.Next();
        var configuration = Path.Combine(folder.FullName, "config.yml");
        await File.WriteAllTextAsync(configuration, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(folder.FullName, "data")}
            http:
              addr: 127.0.0.1:{port}
            """);
        var start = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(configuration);
        var registry = new LocalRegistry(Process.Start(start)!, folder, port);
        try
        {
            await FreePort.WaitUntilListeningAsync(port, "docker-registry", TimeSpan.FromSeconds(30), () => registry.Output, () => registry._process.HasExited);
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }

        return registry;
    }

    /// <summary>
    /// Makes an OCI image of this machine's .NET runtime (the <c>dotnet</c> host and its shared frameworks, under
    /// /usr/share/dotnet) and pushes it as <c>dotnet/runtime:&lt;version&gt;</c>; the answer is its reference.
    /// </summary>
    public async Task<string> PushRuntimeBaseImageAsync()
    {
        var dotnet = Path.GetDirectoryName(Path.GetFullPath(new FileInfo(Processes.FindOnPath("dotnet")!).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Processes.FindOnPath("dotnet")!))!;
        var layout = Path.Combine(_folder.FullName, "base");
        var bundle = Path.Combine(_folder.FullName, "bundle");
        await Run("umoci", "init", "--layout", layout);
        await Run("umoci", "new", "--image", $"{layout}:runtime");
        await Run("umoci", "unpack", "--rootless", "--image", $"{layout}:runtime", bundle);
        var target = Path.Combine(bundle, "rootfs", "usr", "share", "dotnet");
        Directory.CreateDirectory(target);
        foreach (var part in new[] { "dotnet", "host", "shared" })
        {
            await Run("cp", "-a", Path.Combine(dotnet, part), target);
        }

        await Run("umoci", "repack", "--image", $"{layout}:runtime", bundle);
        await Run("umoci", "config", "--image", $"{layout}:runtime", "--config.env", "DOTNET_ROOT=/usr/share/dotnet", "--config.env", "PATH=/usr/share/dotnet:/usr/bin:/bin", "--config.workingdir", "/app");
        var reference = $"{Host}/dotnet/runtime:{Environment.Version.Major}.{Environment.Version.Minor}";
        await Run("skopeo", "copy", "--quiet", "--dest-tls-verify=false", "--insecure-policy", $"oci:{layout}:runtime", $"docker://{reference}");
        BaseImage = reference;
        return reference;
    }

    private async Task Run(string program, params string[] arguments)
    {
        var result = await Processes.RunAsync(program, _folder.FullName, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.Output}");
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // It had exited.
        }

        _process.Dispose();
        _folder.Delete(recursive: true);
    }
}
