using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Infrar.Platform;
using Infrar.Platform.Tests.Service;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Deployments;

/// <summary>
/// From a git push to a running app: a local bare repository holds an app that references Infrar.Sdk (packed for this
/// run, vendored in the repository as a team's own feed would be); a signed GitHub push event makes the service clone
/// the pushed commit, build it for the environment's provider in the sandbox, and plan and apply what the build wrote
/// with the real terraform binary, on the local provider. Wrongly signed pushes are refused and audited, unmapped
/// branches deploy nothing, and a commit that does not compile ends failed with the compiler's error.
/// </summary>
public sealed class SourceDeploymentTests(PackedSdk sdk) : IClassFixture<PackedSdk>, IDisposable
{
    private const string Secret = "a-webhook-secret-of-some-length";

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-source-");

    [Fact]
    public async Task A_signed_push_builds_the_commit_for_the_environment_and_deploys_it_and_bad_pushes_change_nothing()
    {
        var (bare, work) = await CreateRepositoryAsync();
        var head = await CommitAsync(work, "notes app", ProgramThatUploads);

        await using var server = await StartAsync();
        using var admin = server.Client(server.AdminToken);
        var localRoot = Path.Combine(_root.FullName, "buckets");
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "notes", "prod", localRoot);
        var project = (await admin.GetFromJsonAsync<JsonElement>("/api/projects")).EnumerateArray().Single(p => p.GetProperty("name").GetString() == "notes").GetProperty("id").GetInt64();

        // Only an admin sets the source, and the secret never comes back.
        var source = new { repository = bare, path = "app/Notes.csproj", branches = new Dictionary<string, string> { ["main"] = "prod" }, webhookSecret = Secret };
        using (var deployer = server.Client(await server.CreateTokenAsync("deployer", "deployer")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await deployer.PutAsJsonAsync($"/api/projects/{project}/source", source)).StatusCode);
        }

        var set = await admin.PutAsJsonAsync($"/api/projects/{project}/source", source);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var shown = await set.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Secret, shown, StringComparison.Ordinal);
        Assert.True(JsonDocument.Parse(shown).RootElement.GetProperty("hasWebhookSecret").GetBoolean());

        // Unsigned, wrongly signed, and signed for another project: 401 each, audited, nothing deployed.
        var push = PushEvent("main", head);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostPushAsync(server, "notes", push, signature: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostPushAsync(server, "notes", push, Sign("another secret entirely!!", push))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostPushAsync(server, "unknown", push, Sign(Secret, push))).StatusCode);
        var tampered = push.Replace(head, new string('1', 40), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostPushAsync(server, "notes", tampered, Sign(Secret, push))).StatusCode);
        var audit = await PlatformApi.AuditAsync(admin, rows => rows.GetProperty("outcome").GetString() == "401 signature does not match");
        Assert.Contains(audit, row => row.GetProperty("actor").GetString() == "webhook:notes" && row.GetProperty("outcome").GetString() == "401 unsigned");
        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>($"/api/environments/{environment}/deployments") ?? []);

        // A push to a branch that maps nowhere is accepted and ignored.
        var elsewhere = PushEvent("feature/x", head);
        var ignored = await PostPushAsync(server, "notes", elsewhere, Sign(Secret, elsewhere));
        Assert.Equal(HttpStatusCode.Accepted, ignored.StatusCode);
        Assert.StartsWith("ignored: branch feature/x deploys nowhere", (await ignored.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString(), StringComparison.Ordinal);

        // The signed push of main deploys its commit to prod, once per delivery.
        var accepted = await PostPushAsync(server, "notes", push, Sign(Secret, push), delivery: "delivery-1");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var deploymentId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deploymentId").GetInt64();
        var again = await PostPushAsync(server, "notes", push, Sign(Secret, push), delivery: "delivery-1");
        Assert.Equal(deploymentId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deploymentId").GetInt64());

        var done = await PlatformApi.WaitForAsync(admin, deploymentId, "succeeded");
        Assert.Equal(("main", head), (done.GetProperty("source").GetProperty("ref").GetString(), done.GetProperty("source").GetProperty("commit").GetString()));
        Assert.Equal("webhook:notes", done.GetProperty("requestedBy").GetString());
        var transitions = await admin.GetFromJsonAsync<JsonElement[]>($"/api/deployments/{deploymentId}/transitions");
        Assert.Equal(["queued", "building", "planning", "applying", "succeeded"], transitions!.Select(t => t.GetProperty("to").GetString()));

        var log = await admin.GetStringAsync($"/api/deployments/{deploymentId}/log");
        foreach (var step in new[] { "$ git ", " clone ", $"infrar: built commit {head}", "$ dotnet build", "-p:InfrarProvider=local", "$ terraform apply", "Apply complete!" })
        {
            Assert.Contains(step, log, StringComparison.Ordinal);
        }

        // What the build wrote is what was deployed: the commit's bucket, made by terraform where the environment keeps them.
        Assert.Equal(Path.Combine(localRoot, "notes"), done.GetProperty("outputs").GetProperty("values").GetProperty("bucket_notes").GetString());
        Assert.True(Directory.Exists(Path.Combine(localRoot, "notes")));

        // A commit that does not compile fails its deployment with the compiler's error, and changes nothing.
        var broken = await CommitAsync(work, "broken", "using Infrar;\n\nvar notes = Storage.Bucket(\"notes\");\nawait notes.UploadAsync(\"a.txt\", 42);\n");
        var brokenPush = PushEvent("main", broken);
        var failing = await PostPushAsync(server, "notes", brokenPush, Sign(Secret, brokenPush), delivery: "delivery-2");
        var failed = await PlatformApi.WaitForAsync(admin, (await failing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deploymentId").GetInt64(), "failed");
        Assert.Contains("dotnet build of app/Notes.csproj at", failed.GetProperty("failure").GetString(), StringComparison.Ordinal);
        Assert.Contains("error CS1503", await admin.GetStringAsync($"/api/deployments/{failed.GetProperty("id").GetInt64()}/log"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_push_publishes_the_app_as_an_image_pushes_it_to_the_registry_and_deploys_it_by_digest()
    {
        await using var registry = await LocalRegistry.StartAsync();
        var baseImage = await registry.PushRuntimeBaseImageAsync();
        var (bare, work) = await CreateRepositoryAsync();
        var head = await CommitAsync(work, "notes app", ProgramThatUploads);

        await using var server = await StartAsync(options => options.InsecureRegistries.Add(registry.Host));
        using var admin = server.Client(server.AdminToken);
        var project = (await (await admin.PostAsJsonAsync("/api/projects", new { name = "notes" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var localRoot = Path.Combine(_root.FullName, "buckets");
        var variables = new Dictionary<string, string> { ["local_root"] = localRoot };

        // Image settings are checked when the environment is made: a cloud needs a registry; names must be names.
        var refused = await admin.PostAsJsonAsync($"/api/projects/{project}/environments", new
        {
            name = "cloud", provider = "gcp", state = new { bucket = "tofu-state" }, image = new { baseImage, healthPath = "health check" },
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("registry", errors.GetProperty("image.registry")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("is not a path", errors.GetProperty("image.healthPath")[0].GetString(), StringComparison.Ordinal);

        var created = await admin.PostAsJsonAsync($"/api/projects/{project}/environments", new
        {
            name = "prod", provider = "local", variables, image = new { registry = registry.Host, baseImage },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var environment = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var source = new { repository = bare, path = "app/Notes.csproj", branches = new Dictionary<string, string> { ["main"] = "prod" }, webhookSecret = Secret };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/projects/{project}/source", source)).StatusCode);

        var push = PushEvent("main", head);
        var accepted = await PostPushAsync(server, "notes", push, Sign(Secret, push));
        var deploymentId = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deploymentId").GetInt64();
        var done = await PlatformApi.WaitForAsync(admin, deploymentId, "succeeded");
        var transitions = await admin.GetFromJsonAsync<JsonElement[]>($"/api/deployments/{deploymentId}/transitions");
        Assert.Equal(["queued", "building", "planning", "applying", "succeeded"], transitions!.Select(t => t.GetProperty("to").GetString()));

        // The deployment names the image by digest, as the registry holds it.
        var image = done.GetProperty("image");
        var digest = image.GetProperty("digest").GetString()!;
        Assert.Matches("^sha256:[0-9a-f]{64}$", digest);
        Assert.Equal($"{registry.Host}/notes@{digest}", image.GetProperty("reference").GetString());

        var log = await admin.GetStringAsync($"/api/deployments/{deploymentId}/log");
        var steps = new[]
        {
            "$ dotnet build", $"infrar: publishing notes:{head[..12]} as a container image on {baseImage}", "-t:PublishContainer",
            $"infrar: pushing notes:{head[..12]} ({digest}) to {registry.Host}", "$ skopeo ", $"infrar: pushed {registry.Host}/notes@{digest}",
            "$ terraform plan", "$ terraform apply", "Apply complete!",
        };
        var at = 0;
        foreach (var step in steps)
        {
            var found = log.IndexOf(step, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"the log has no '{step}' after what came before it:\n{log}");
            at = found;
        }

        // The manifest fetched back by that digest is the one pushed: its bytes hash to it, it is the app on the base
        // image (one layer more), and the commit's tag names the same manifest.
        using var http = new HttpClient { BaseAddress = new Uri($"http://{registry.Host}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/notes/manifests/{digest}");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        using var manifest = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        var bytes = await manifest.Content.ReadAsByteArrayAsync();
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)));
        using var baseRequest = new HttpRequestMessage(HttpMethod.Get, $"/v2/dotnet/runtime/manifests/{baseImage[(baseImage.LastIndexOf(':') + 1)..]}");
        baseRequest.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        using var baseManifest = await http.SendAsync(baseRequest);
        var layers = JsonDocument.Parse(bytes).RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()).ToList();
        var baseLayers = JsonDocument.Parse(await baseManifest.Content.ReadAsStringAsync()).RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()).ToList();
        Assert.Equal(baseLayers, layers.Take(baseLayers.Count));
        Assert.Equal(baseLayers.Count + 1, layers.Count);
        using var tagged = new HttpRequestMessage(HttpMethod.Head, $"/v2/notes/manifests/{head[..12]}");
        tagged.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        Assert.Equal(digest, (await http.SendAsync(tagged)).Headers.GetValues("Docker-Content-Digest").Single());

        // The build's and the push's working copies are gone.
        Assert.Empty(Directory.EnumerateDirectories(server.Options.WorkRoot, $"deployment-{deploymentId}-*"));

        // A local environment that names no registry keeps the image as an archive in the service's data folder.
        var archived = await admin.PostAsJsonAsync($"/api/projects/{project}/environments", new { name = "dev", provider = "local", variables, image = new { baseImage } });
        var dev = (await archived.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var build = await admin.PostAsJsonAsync($"/api/environments/{dev}/builds", new { @ref = "main" });
        Assert.Equal(HttpStatusCode.Accepted, build.StatusCode);
        var kept = (await PlatformApi.WaitForAsync(admin, (await build.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64(), "succeeded")).GetProperty("image");
        var archive = kept.GetProperty("reference").GetString()!;
        Assert.Equal(Path.Combine(server.Options.DataDirectory, "images", $"deployment-{deploymentId + 1}.tar"), archive);
        // The SDK's images are not byte-for-byte reproducible (times are in them), so this build has a digest of its own.
        Assert.Equal((kept.GetProperty("digest").GetString(), (string?)null), Infrar.Platform.Deployments.ImageArchive.ReadDigest(archive));
        Assert.True(new FileInfo(archive).Length > 1 << 20, "the archive holds the base image's layers");
    }

    [Fact]
    public async Task A_build_that_swaps_its_output_folder_for_a_link_after_publishing_gets_nothing_of_the_machine_read_or_moved()
    {
        await using var registry = await LocalRegistry.StartAsync();
        var baseImage = await registry.PushRuntimeBaseImageAsync();
        var (_, work) = await CreateRepositoryAsync();

        // Elsewhere on the machine: a valid image archive, which the service would take as the build's and move away.
        var victim = Directory.CreateDirectory(Path.Combine(_root.FullName, "victim")).FullName;
        var archive = Path.Combine(victim, "image.tar");
        using (var file = File.Create(archive))
        using (var tar = new System.Formats.Tar.TarWriter(file))
        {
            var blob = new string('a', 64);
            foreach (var (name, content) in new[] { ("oci-layout", "{}"), ("index.json", $$"""{"manifests":[{"digest":"sha256:{{blob}}"}]}"""), ($"blobs/sha256/{blob}", "{}") })
            {
                tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
            }
        }

        // The repository's own MSBuild code, run by the publish, replaces the output folder with a link to it.
        var project = Path.Combine(work, "app", "Notes.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>", $$"""
              <Target Name="Swap" AfterTargets="PublishContainer">
                <RemoveDir Directories="$([System.IO.Path]::GetDirectoryName('$(ContainerArchiveOutputPath)'))" />
                <Exec Command="ln -s {{victim}} $([System.IO.Path]::GetDirectoryName('$(ContainerArchiveOutputPath)'))" />
              </Target>
            </Project>
            """, StringComparison.Ordinal));
        var head = await CommitAsync(work, "swap", ProgramThatUploads);

        await using var server = await StartAsync(options => options.InsecureRegistries.Add(registry.Host));
        using var admin = server.Client(server.AdminToken);
        var projectId = (await (await admin.PostAsJsonAsync("/api/projects", new { name = "notes" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var created = await admin.PostAsJsonAsync($"/api/projects/{projectId}/environments", new
        {
            name = "dev", provider = "local", variables = new Dictionary<string, string> { ["local_root"] = Path.Combine(_root.FullName, "buckets") }, image = new { baseImage },
        });
        var environment = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var source = new { repository = Path.Combine(_root.FullName, "notes.git"), path = "app/Notes.csproj", branches = new Dictionary<string, string>() };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/projects/{projectId}/source", source)).StatusCode);
        var build = await admin.PostAsJsonAsync($"/api/environments/{environment}/builds", new { @ref = head });

        var failed = await PlatformApi.WaitForAsync(admin, (await build.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64(), "failed");
        Assert.Equal("the build replaced its output folder infrar-build with a link; the service reads only files the build wrote", failed.GetProperty("failure").GetString());
        Assert.True(File.Exists(archive), "the archive elsewhere on the machine was moved away");
        Assert.Empty(Directory.EnumerateFiles(server.Options.DataDirectory, "*.tar", SearchOption.AllDirectories));
    }

    private const string ProgramThatUploads = "using Infrar;\n\nvar notes = Storage.Bucket(\"notes\");\nawait notes.UploadAsync(\"hello.txt\", \"hi\"u8.ToArray());\n";

    /// <summary>A bare repository and a working copy of it holding the app, its nuget.config and the packed SDK.</summary>
    private async Task<(string Bare, string Work)> CreateRepositoryAsync()
    {
        var bare = Path.Combine(_root.FullName, "notes.git");
        var work = Path.Combine(_root.FullName, "work");
        await GitAsync(_root.FullName, "init", "--quiet", "--bare", "--initial-branch=main", bare);
        await GitAsync(_root.FullName, "init", "--quiet", "--initial-branch=main", work);
        Directory.CreateDirectory(Path.Combine(work, "app"));
        sdk.Vendor(work);
        File.WriteAllText(Path.Combine(work, "app", "Notes.csproj"), sdk.AppProject());
        await GitAsync(work, "remote", "add", "origin", bare);

        // The service's runs are an unprivileged user: they may read the repository, and nothing else here.
        foreach (var folder in new[] { _root.FullName, bare })
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        }

        return (bare, work);
    }

    private static async Task<string> CommitAsync(string work, string message, string program)
    {
        File.WriteAllText(Path.Combine(work, "app", "Program.cs"), program);
        await GitAsync(work, "add", "--all");
        await GitAsync(work, "-c", "user.name=Ana", "-c", "user.email=ana@example.com", "commit", "--quiet", "-m", message);
        await GitAsync(work, "push", "--quiet", "origin", "main");
        return (await GitAsync(work, "rev-parse", "HEAD")).Trim();
    }

    private static string PushEvent(string branch, string commit) =>
        JsonSerializer.Serialize(new { @ref = $"refs/heads/{branch}", before = new string('0', 40), after = commit, repository = new { full_name = "ana/notes" }, pusher = new { name = "ana" } });

    private static string Sign(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private static async Task<HttpResponseMessage> PostPushAsync(PlatformServer server, string project, string body, string? signature, string? delivery = null)
    {
        using var anonymous = server.Client(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/github/{project}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", delivery ?? Guid.NewGuid().ToString());
        if (signature is not null)
        {
            request.Headers.Add("X-Hub-Signature-256", signature);
        }

        return await anonymous.SendAsync(request);
    }

    private static async Task<string> GitAsync(string folder, params string[] arguments)
    {
        var git = await Processes.RunAsync("git", folder, arguments);
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)}: {git.Output}");
        return git.Output;
    }

    private async Task<PlatformServer> StartAsync(Action<PlatformOptions>? configure = null) =>
        await PlatformServer.StartAsync(Path.Combine(_root.FullName, "data"), null, options =>
        {
            configure?.Invoke(options);
            options.AllowLocalRepositories = true;
            if (Environment.GetEnvironmentVariable("NUGET_CERT_REVOCATION_MODE") is { } mode)
            {
                options.BuildEnvironment["NUGET_CERT_REVOCATION_MODE"] = mode;
            }
        });

    public void Dispose() => _root.Delete(recursive: true);
}
