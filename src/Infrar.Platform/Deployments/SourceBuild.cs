using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Infrar.Platform.Api;
using Infrar.Platform.Data;
using Infrar.Platform.Policies;

namespace Infrar.Platform.Deployments;

/// <summary>What a deployment built from source is built from: the project's repository, a ref, and the commit when known (a push names it).</summary>
internal sealed record DeploymentSource(string Repository, string Ref, string? Commit);

/// <summary>The infra and manifest a build wrote, the commit it built, and the image it published when the environment asks for one.</summary>
internal sealed record BuiltApp(Dictionary<string, string> Infra, string Manifest, string Commit, BuiltImage? Image = null);

/// <summary>An image the build published as an OCI archive: where the archive is, its repository and tag, its manifest digest.</summary>
internal sealed record BuiltImage(string Archive, string Repository, string Tag, string Digest);

/// <summary>
/// Builds a deployment's app from source, in the same sandbox as OpenTofu (the build runs the repository's own MSBuild
/// code, so it is as untrusted as a submitted .tf file): clones the project's repository into the run's working copy,
/// checks out the commit (or the ref), runs <c>dotnet build -p:InfrarProvider=&lt;the environment's provider&gt;</c> on
/// the app's project, and reads back the infra folder and manifest the build wrote, refusing links and oversized
/// output. Every line of git's and the compiler's output goes to the deployment's live log.
/// </summary>
internal sealed partial class SourceBuild(TofuRunner runner, PlatformOptions options)
{
    /// <summary>The most a build's infra folder may hold, as a submitted one (the API's request limit).</summary>
    public const long MaxInfraBytes = 16 << 20;

    private const long MaxManifestBytes = 4 << 20;

    /// <summary>Why the repository, app path or ref cannot be used, or null.</summary>
    public static string? RepositoryProblem(string repository, bool allowLocal)
    {
        if (repository.StartsWith("https://", StringComparison.Ordinal) || repository.StartsWith("ssh://", StringComparison.Ordinal))
        {
            return Uri.TryCreate(repository, UriKind.Absolute, out _) ? null : $"'{repository}' is not a URL";
        }

        if (repository.StartsWith("file://", StringComparison.Ordinal) || Path.IsPathFullyQualified(repository))
        {
            return allowLocal ? null : "a repository on this machine is refused (the service builds https:// and ssh:// repositories; --allow-local-repositories lifts this)";
        }

        return $"'{repository}' is neither an https:// nor an ssh:// URL";
    }

    public static string? AppPathProblem(string path) =>
        path.Length == 0 || path.Length > 500 || Path.IsPathRooted(path) || path.Split('/', '\\').Any(part => part is ".." || part.StartsWith('-'))
            ? $"the app's path '{path}' must be a folder or project file inside the repository (relative, without '..')"
            : null;

    public static string? RefProblem(string reference) =>
        RefShape().IsMatch(reference) && !reference.Contains("..", StringComparison.Ordinal)
            ? null
            : $"'{reference}' is not a branch, tag or commit name (letters, digits, '.', '_', '-' and '/', not starting with '-')";

    /// <summary>Builds the app; returns what it wrote, or the reason it failed (the details are in the log).</summary>
    public async Task<(BuiltApp? Built, string? Failure)> RunAsync(
        DeploymentRow deployment, EnvironmentRow environment, string projectName, ProjectSourceRow project, RunWorkspace workspace, Func<string, Task> log, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.BuildTimeout);
        try
        {
            return await BuildAsync(deployment, environment, projectName, project, workspace, log, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"the build took longer than {options.BuildTimeout.TotalMinutes:0} minutes and was stopped");
        }
    }

    private async Task<(BuiltApp? Built, string? Failure)> BuildAsync(
        DeploymentRow deployment, EnvironmentRow environment, string projectName, ProjectSourceRow project, RunWorkspace workspace, Func<string, Task> log, CancellationToken cancellationToken)
    {
        var repository = deployment.SourceRepository ?? project.Repository;
        var reference = deployment.SourceRef ?? "";
        if ((RepositoryProblem(repository, options.AllowLocalRepositories) ?? AppPathProblem(project.AppPath) ?? RefProblem(reference)) is { } problem)
        {
            return (null, problem);
        }

        var git = TofuSandbox.FindOnPath("git") ?? throw new InvalidOperationException("Building from source needs git on PATH.");
        var dotnet = TofuSandbox.FindOnPath("dotnet") ?? throw new InvalidOperationException("Building from source needs the .NET SDK (dotnet) on PATH.");
        var dotnetRoot = Path.GetDirectoryName(new FileInfo(dotnet).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dotnet)!;
        var mounts = new List<SandboxMount> { new(workspace.Directory, Writable: true) };
        if (!dotnetRoot.StartsWith("/usr/", StringComparison.Ordinal))
        {
            mounts.Add(new SandboxMount(dotnetRoot, Writable: false));
        }

        var local = !repository.Contains("://", StringComparison.Ordinal) || repository.StartsWith("file://", StringComparison.Ordinal);
        var localPath = local ? Path.GetFullPath(repository.StartsWith("file://", StringComparison.Ordinal) ? new Uri(repository).LocalPath : repository) : null;
        if (localPath is not null)
        {
            if (!Directory.Exists(localPath))
            {
                return (null, $"the repository {repository} does not exist on this machine");
            }

            mounts.Add(new SandboxMount(localPath, Writable: false));
        }

        var variables = new Dictionary<string, string>(options.BuildEnvironment, StringComparer.Ordinal)
        {
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_CONFIG_NOSYSTEM"] = "1",
            ["DOTNET_ROOT"] = dotnetRoot,
            ["DOTNET_CLI_HOME"] = "/tmp",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["UseSharedCompilation"] = "false",
            ["NUGET_PACKAGES"] = "/tmp/nuget-packages",
        };
        var run = new TofuRun(workspace.Directory, mounts, variables);
        async Task<int> Run(string program, IReadOnlyList<string> arguments, Func<string, Task>? onLine = null)
        {
            await log($"$ {Path.GetFileName(program)} {string.Join(' ', arguments)}");
            return await runner.RunProgramAsync(program, run, arguments, onLine ?? log, cancellationToken);
        }

        // Only the transports the service allows: https and ssh, and a local folder where the service says so.
        string[] transports = ["-c", "protocol.allow=never", "-c", "protocol.https.allow=always", "-c", "protocol.ssh.allow=always", "-c", $"protocol.file.allow={(local ? "always" : "never")}"];
        if (localPath is not null)
        {
            // A local repository belongs to another user than the run's, which git refuses as of dubious ownership
            // unless its global configuration says otherwise (a -c setting does not reach the side that reads it).
            var configuration = Path.Combine(workspace.Directory, "gitconfig");
            await File.WriteAllTextAsync(configuration, $"[safe]\n\tdirectory = {localPath}\n", cancellationToken);
            variables["GIT_CONFIG_GLOBAL"] = configuration;
            run = run with { Environment = variables };
        }

        if (await Run(git, [.. transports, "clone", "--quiet", "--no-checkout", "--", repository, "source"]) != 0)
        {
            return (null, $"git could not clone {repository}");
        }

        var checkout = deployment.SourceCommit ?? (reference.StartsWith("refs/tags/", StringComparison.Ordinal) ? reference : $"origin/{reference}");
        if (await Run(git, ["-C", "source", "-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", checkout]) != 0 &&
            (deployment.SourceCommit is not null || await Run(git, ["-C", "source", "-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", reference]) != 0))
        {
            return (null, $"{checkout} is not in {repository}");
        }

        string? commit = null;
        await Run(git, ["-C", "source", "rev-parse", "HEAD"], line =>
        {
            commit = CommitShape().IsMatch(line) ? line : commit;
            return log(line);
        });
        if (commit is null)
        {
            return (null, "git could not tell which commit it checked out");
        }

        var app = Path.GetFullPath(Path.Combine(workspace.Directory, "source", project.AppPath));
        if (!app.StartsWith(Path.Combine(workspace.Directory, "source") + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !(File.Exists(app) || Directory.Exists(app)))
        {
            return (null, $"the app's project {project.AppPath} is not in commit {commit[..12]}");
        }

        var output = Path.Combine(workspace.Directory, "infrar-build");
        if (await Run(dotnet, ["build", app, "-c", "Release", "-nologo", "-v:minimal", "-clp:NoSummary",
                $"-p:InfrarProvider={environment.Provider}", $"-p:InfrarInfraRoot={output}/infra/", $"-p:InfrarManifestPath={output}/infrar.manifest.json"]) != 0)
        {
            return (null, $"dotnet build of {project.AppPath} at {commit[..12]} failed; the compiler's errors are in the log");
        }

        var (built, failure) = Collect(output, environment.Provider, commit);
        if (built is null || ImageSettings.Read(environment.Image) is not { } image)
        {
            return (built, failure);
        }

        // The image is published as an archive inside the sandbox, with no credentials: what the repository's MSBuild
        // code can reach. The push, which signs in to the registry, runs apart from it (ImagePush).
        var imageRepository = image.RepositoryFor(projectName);
        var tag = commit[..12];
        var archive = Path.Combine(output, "image.tar");
        List<string> publish = ["publish", app, "-c", "Release", "-nologo", "-v:minimal", "-clp:NoSummary", "-t:PublishContainer",
            $"-p:InfrarProvider={environment.Provider}", $"-p:InfrarInfraRoot={output}/infra/", $"-p:InfrarManifestPath={output}/infrar.manifest.json",
            "-p:EnableSdkContainerSupport=true", "-p:ContainerImageFormat=OCI", $"-p:ContainerRepository={imageRepository}", $"-p:ContainerImageTag={tag}",
            $"-p:ContainerArchiveOutputPath={archive}"];
        if (image.BaseImage is { } baseImage)
        {
            publish.Add($"-p:ContainerBaseImage={baseImage}");
        }

        if (options.InsecureRegistries.Count > 0)
        {
            variables["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = string.Join(',', options.InsecureRegistries);
            run = run with { Environment = variables };
        }

        await log($"infrar: publishing {imageRepository}:{tag} as a container image on {image.BaseImage ?? "the .NET SDK's default base image"}");
        if (await Run(dotnet, publish) != 0)
        {
            return (null, $"dotnet publish of {project.AppPath} as a container image at {commit[..12]} failed; see the log");
        }

        // The publish ran the repository's code again after the infra was read: the folder the archive is read from (and
        // then deleted from) must still be the build's own, not a link it left to somewhere else on this machine.
        if (new DirectoryInfo(output).LinkTarget is not null || !Directory.Exists(output))
        {
            return (null, "the build replaced its output folder infrar-build with a link; the service reads only files the build wrote");
        }

        var (digest, unreadable) = ImageArchive.ReadDigest(archive);
        return digest is null ? (null, $"the image the build published: {unreadable}") : (built with { Image = new BuiltImage(archive, imageRepository, tag, digest) }, null);
    }

    /// <summary>Reads the infra folder and manifest the build wrote; no link is followed, nothing oversized is read.</summary>
    private static (BuiltApp? Built, string? Failure) Collect(string output, string provider, string commit)
    {
        var folder = Path.Combine(output, "infra", provider);
        var manifest = Path.Combine(output, "infrar.manifest.json");
        foreach (var path in new[] { output, Path.Combine(output, "infra"), folder, manifest })
        {
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            if (!info.Exists)
            {
                return (null, $"the build wrote no {Path.GetRelativePath(output, path)}: does the app reference Infrar.Sdk?");
            }

            if (info.LinkTarget is not null)
            {
                return (null, $"the build's {Path.GetRelativePath(output, path)} is a link; the service reads only files the build wrote");
            }
        }

        var infra = new Dictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var file in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (file.LinkTarget is not null || file is DirectoryInfo)
            {
                return (null, $"the build's infra/{provider}/{file.Name} is {(file is DirectoryInfo ? "a folder" : "a link")}; infra is a flat folder of files");
            }

            total += ((FileInfo)file).Length;
            if (total > MaxInfraBytes)
            {
                return (null, $"the build's infra folder holds more than {MaxInfraBytes >> 20} MiB");
            }

            if (!file.Name.StartsWith('.'))
            {
                infra[file.Name] = File.ReadAllText(file.FullName, Encoding.UTF8);
            }
        }

        if (new FileInfo(manifest).Length > MaxManifestBytes)
        {
            return (null, $"the build's manifest is larger than {MaxManifestBytes >> 20} MiB");
        }

        var text = File.ReadAllText(manifest, Encoding.UTF8);
        try
        {
            using var _ = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            return (null, $"the build's manifest is not JSON: {e.Message}");
        }

        return (new BuiltApp(infra, text, commit), null);
    }

    /// <summary>Checks what the build wrote as a submitted deployment is checked; the problems, or none.</summary>
    public static List<string> Check(BuiltApp built, string provider, InfraPolicy policy)
    {
        using var manifest = JsonDocument.Parse(built.Manifest);
        var errors = RequestValidation.Deployment(new CreateDeploymentRequest(built.Infra, manifest.RootElement.Clone()), provider, policy, out _);
        return [.. errors.SelectMany(e => e.Value.Select(message => $"{e.Key}: {message}"))];
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._/-]{0,199}$")]
    private static partial Regex RefShape();

    [GeneratedRegex("^[0-9a-f]{40}([0-9a-f]{24})?$")]
    private static partial Regex CommitShape();
}
