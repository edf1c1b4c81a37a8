using System.Text;
using System.Text.Json;
using Infrar.Generators.Catalog;
using Infrar.Platform.Policies;

namespace Infrar.Platform.Deployments;

/// <summary>
/// Pushes the image a build published to the environment's registry with <c>skopeo</c>, in the sandbox, in a working
/// copy of its own that holds only the archive and the sign-in: the build, which ran the repository's code, never sees
/// the registry's credentials. The manifest is pushed as the archive holds it, so the digest pushed is the archive's.
/// </summary>
internal sealed class ImagePush(TofuRunner runner, PlatformOptions options, HttpClient http)
{
    /// <summary>The reference pushed (<c>registry/repository@sha256:…</c>), or why the push failed (the details are in the log).</summary>
    public async Task<(string? Reference, string? Failure)> RunAsync(
        long deploymentId, BuiltImage image, ImageSettings settings, ProviderCatalog provider, IReadOnlyDictionary<string, string> credentials,
        Action<string> addSecret, Func<string, Task> log, CancellationToken cancellationToken)
    {
        var skopeo = TofuSandbox.FindOnPath("skopeo") ?? throw new InvalidOperationException("Pushing images needs skopeo on PATH (Debian's skopeo package).");
        var registry = settings.Registry!;
        var host = settings.RegistryHost!;
        (string User, string Password)? login;
        try
        {
            login = await RegistryLogins.SignInAsync(provider.Hosting.RegistryLogin, host, credentials, http, cancellationToken);
        }
        catch (RegistryLoginException e)
        {
            return (null, e.Message);
        }

        var providers = InfraPolicy.Default.Providers.With(options.AllowedProviders);
        using var workspace = RunWorkspace.Create(options, runner.Sandbox, providers, $"deployment-{deploymentId}-push");
        // skopeo cannot unpack an archive as an unprivileged user (it keeps the entries' owners), so the service does,
        // taking only what an OCI layout holds.
        if (ImageArchive.Unpack(image.Archive, Path.Combine(workspace.Directory, "image")) is { } unpackProblem)
        {
            return (null, unpackProblem);
        }

        File.Delete(image.Archive);

        // skopeo reads a signature policy; this one accepts any image, as the SDK's own push would.
        workspace.Write("policy.json", """{"default":[{"type":"insecureAcceptAnything"}]}""");
        var authentication = new Dictionary<string, object>();
        if (login is { } signIn)
        {
            addSecret(signIn.Password);
            var pair = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{signIn.User}:{signIn.Password}"));
            addSecret(pair);
            authentication[host] = new Dictionary<string, string> { ["auth"] = pair };
        }

        workspace.Write("auth.json", JsonSerializer.Serialize(new Dictionary<string, object> { ["auths"] = authentication }));
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HOME"] = "/tmp",
            ["TMPDIR"] = "/tmp",
            ["REGISTRY_AUTH_FILE"] = Path.Combine(workspace.Directory, "auth.json"),
        };
        var target = $"{registry}/{image.Repository}:{image.Tag}";
        List<string> arguments = ["--tmpdir", "/tmp", "copy", "--retry-times", "2", "--policy", "policy.json", "--authfile", "auth.json", "--digestfile", "digest"];
        if (options.InsecureRegistries.Contains(host, StringComparer.Ordinal))
        {
            arguments.Add("--dest-tls-verify=false");
        }

        arguments.AddRange(["oci:image", $"docker://{target}"]);
        await log($"infrar: pushing {image.Repository}:{image.Tag} ({image.Digest}) to {registry}{(login is null ? "" : $" signed in as {login.Value.User}")}");
        await log($"$ skopeo {string.Join(' ', arguments)}");
        var run = new TofuRun(workspace.Directory, [new SandboxMount(workspace.Directory, Writable: true)], variables);
        if (await runner.RunProgramAsync(skopeo, run, arguments, log, cancellationToken) != 0)
        {
            return (null, $"skopeo could not push the image to {registry}; see the log");
        }

        var pushed = File.Exists(Path.Combine(workspace.Directory, "digest")) ? File.ReadAllText(Path.Combine(workspace.Directory, "digest")).Trim() : "";
        if (!ImageArchive.DigestShape().IsMatch(pushed))
        {
            return (null, $"skopeo pushed the image but reported no digest ('{pushed}')");
        }

        if (pushed != image.Digest)
        {
            // A registry that takes no OCI manifests gets one converted, under another digest; the one it holds counts.
            await log($"infrar: the registry holds the image as {pushed} (the archive's manifest was {image.Digest}, converted for the registry)");
        }

        return ($"{registry}/{image.Repository}@{pushed}", null);
    }
}
