using System.Net.Http.Json;
using System.Text.Json;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary><c>infrar env create</c>, <c>deploy</c>, <c>status</c>, <c>approve</c> and <c>destroy</c> run as a user runs them, against a served instance.</summary>
public sealed class CliTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-cli-");

    [Fact]
    public async Task The_cli_deploys_the_sample_waits_for_approval_approves_and_destroys()
    {
        var data = Path.Combine(_root.FullName, "data");
        using var service = await ServiceProcess.ServeAsync(data);
        var admin = File.ReadAllText(Path.Combine(data, "admin-token")).Trim();
        string[] connect = ["--server", service.BaseAddress.ToString(), "--token", admin];

        var created = await ServiceProcess.RunAsync(
            ["env", "create", "--project", "photoservice", "--name", "prod", "--provider", "local", "--protected",
             "--var", $"local_root={Path.Combine(_root.FullName, "buckets")}", .. connect]);
        Assert.True(created.ExitCode == 0, created.Output);

        // Image settings go with the environment, and are checked: a cloud's image needs a registry.
        var imageless = await ServiceProcess.RunAsync(
            ["env", "create", "--project", "photoservice", "--name", "cloud", "--provider", "gcp", "--state", "bucket=tofu-state", "--health-path", "/healthz", .. connect]);
        Assert.True(imageless.ExitCode != 0, imageless.Output);
        Assert.Contains("image.registry", imageless.Output, StringComparison.Ordinal);
        var imaged = await ServiceProcess.RunAsync(
            ["env", "create", "--project", "photoservice", "--name", "cloud", "--provider", "gcp", "--state", "bucket=tofu-state",
             "--image-registry", "us-docker.pkg.dev/photos/apps", "--health-path", "/healthz", .. connect]);
        Assert.True(imaged.ExitCode == 0, imaged.Output);
        using (var api = PlatformApi.Client(service.BaseAddress, admin))
        {
            var cloud = await api.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/environments?project=photoservice&name=cloud");
            Assert.Equal("us-docker.pkg.dev/photos/apps", cloud.GetProperty("image").GetProperty("registry").GetString());
            Assert.Equal("/healthz", cloud.GetProperty("image").GetProperty("healthPath").GetString());
        }

        var deploy = await ServiceProcess.RunAsync(
            ["deploy", "--project", "photoservice", "--env", "prod", "--infra", SampleInfrastructure.InfraFolder, "--manifest", SampleInfrastructure.ManifestFile, .. connect]);
        Assert.True(deploy.ExitCode == 5, $"deploy exits 5 while the plan awaits approval:\n{deploy.Output}");
        Assert.Contains("== planning", deploy.Output, StringComparison.Ordinal);
        Assert.Contains($"Plan: {SampleInfrastructure.Buckets.Count} to add, 0 to change, 0 to destroy.", deploy.Output, StringComparison.Ordinal);
        var id = System.Text.RegularExpressions.Regex.Match(deploy.Output, @"infrar approve (\d+)").Groups[1].Value;

        // The admin asked for it, so the admin may not approve it; an approver does.
        var own = await ServiceProcess.RunAsync(["approve", id, .. connect]);
        Assert.Equal(6, own.ExitCode);
        Assert.Contains("another user must approve", own.Output, StringComparison.Ordinal);
        string approverToken;
        using (var adminClient = PlatformApi.Client(service.BaseAddress, admin))
        {
            approverToken = await PlatformApi.CreateTokenAsync(adminClient, "ari", "approver");
        }

        var approve = await ServiceProcess.RunAsync(["approve", id, "--server", service.BaseAddress.ToString(), "--token", approverToken]);
        Assert.True(approve.ExitCode == 0, approve.Output);
        Assert.Contains("Apply complete!", approve.Output, StringComparison.Ordinal);

        var status = await ServiceProcess.RunAsync(["status", id, .. connect]);
        Assert.Contains("succeeded", status.Output, StringComparison.Ordinal);
        Assert.Contains("Outputs:\n  bucket_photos = ", status.Output.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);

        // Destroying a protected environment waits for approval too.
        var destroy = await ServiceProcess.RunAsync(["destroy", "--project", "photoservice", "--env", "prod", .. connect]);
        Assert.True(destroy.ExitCode == 5, $"destroy exits 5 while its plan awaits approval:\n{destroy.Output}");
        Assert.Contains($"Plan: 0 to add, 0 to change, {SampleInfrastructure.Buckets.Count} to destroy.", destroy.Output, StringComparison.Ordinal);
        var destroyId = System.Text.RegularExpressions.Regex.Match(destroy.Output, @"infrar approve (\d+)").Groups[1].Value;
        var destroyed = await ServiceProcess.RunAsync(["approve", destroyId, "--server", service.BaseAddress.ToString(), "--token", approverToken]);
        Assert.True(destroyed.ExitCode == 0, destroyed.Output);
        Assert.Contains("destroyed", destroyed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_local_the_cli_runs_the_service_in_process_on_the_data_folder()
    {
        var environment = new Dictionary<string, string> { ["INFRAR_DATA"] = Path.Combine(_root.FullName, "data") };
        var created = await ServiceProcess.RunAsync(
            environment,
            ["env", "create", "--local", "--project", "photoservice", "--name", "dev", "--provider", "local", "--var", $"local_root={Path.Combine(_root.FullName, "buckets")}"]);
        Assert.True(created.ExitCode == 0, created.Output);

        var deploy = await ServiceProcess.RunAsync(
            environment,
            ["deploy", "--local", "--project", "photoservice", "--env", "dev", "--infra", SampleInfrastructure.InfraFolder, "--manifest", SampleInfrastructure.ManifestFile]);
        Assert.True(deploy.ExitCode == 0, deploy.Output);
        Assert.Contains("Apply complete!", deploy.Output, StringComparison.Ordinal);
        foreach (var bucket in SampleInfrastructure.Buckets)
        {
            Assert.True(Directory.Exists(Path.Combine(_root.FullName, "buckets", bucket)), $"the deployment created bucket {bucket}");
        }

        // The deployment is in the data folder's database for the next command.
        var status = await ServiceProcess.RunAsync(environment, ["status", "1", "--local"]);
        Assert.Contains("Deployment #1 (deploy): succeeded", status.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deploy_run_again_with_its_idempotency_key_follows_the_first_deployment_instead_of_making_another()
    {
        var data = Path.Combine(_root.FullName, "data");
        using var service = await ServiceProcess.ServeAsync(data, "--tofu", StandInTofu.Write(_root.FullName, TimeSpan.Zero));
        string[] connect = ["--server", service.BaseAddress.ToString(), "--token", File.ReadAllText(Path.Combine(data, "admin-token")).Trim()];
        var created = await ServiceProcess.RunAsync(
            ["env", "create", "--project", "photoservice", "--name", "dev", "--provider", "local", "--var", $"local_root={Path.Combine(_root.FullName, "buckets")}", .. connect]);
        Assert.True(created.ExitCode == 0, created.Output);
        string[] deploy = ["deploy", "--project", "photoservice", "--env", "dev", "--infra", SampleInfrastructure.InfraFolder, "--manifest", SampleInfrastructure.ManifestFile, .. connect];

        var first = await ServiceProcess.RunAsync([.. deploy, "--idempotency-key", "ci-run-7"]);
        var rerun = await ServiceProcess.RunAsync([.. deploy, "--idempotency-key", "ci-run-7"]);
        var another = await ServiceProcess.RunAsync(deploy);

        Assert.True(first.ExitCode == 0 && rerun.ExitCode == 0 && another.ExitCode == 0, first.Output + rerun.Output + another.Output);
        Assert.Contains("Deployment #1:", first.Output, StringComparison.Ordinal);
        Assert.Contains("Deployment #1:", rerun.Output, StringComparison.Ordinal);
        Assert.Contains("Deployment #2:", another.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_names_a_missing_manifest_and_an_unreachable_service()
    {
        var missing = await ServiceProcess.RunAsync(
            ["deploy", "--env", "dev", "--infra", SampleInfrastructure.InfraFolder, "--manifest", Path.Combine(_root.FullName, "nope.json"), "--server", "http://127.0.0.1:9", "--token", "x"]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.json: no such manifest", missing.Output, StringComparison.Ordinal);

        var unreachable = await ServiceProcess.RunAsync(["status", "1", "--server", "http://127.0.0.1:9", "--token", "x"]);
        Assert.Equal(6, unreachable.ExitCode);
        Assert.Contains("Could not reach the Infrar service at http://127.0.0.1:9/", unreachable.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_lists_cancel_and_json_output_work_from_the_command_line()
    {
        var data = Path.Combine(_root.FullName, "data-admin");
        using var service = await ServiceProcess.ServeAsync(data);
        var admin = File.ReadAllText(Path.Combine(data, "admin-token")).Trim();
        string[] connect = ["--server", service.BaseAddress.ToString(), "--token", admin];

        // A token is shown once, when made, and works; the list never shows it; a revoked one stops working.
        var made = await ServiceProcess.RunAsync(["token", "create", "--name", "ci-job", "--role", "deployer", "--format", "json", .. connect]);
        Assert.True(made.ExitCode == 0, made.Output);
        var token = JsonDocument.Parse(made.Output).RootElement.GetProperty("token").GetString()!;
        var listed = await ServiceProcess.RunAsync(["token", "list", "--format", "json", .. connect]);
        var tokens = JsonDocument.Parse(listed.Output).RootElement.EnumerateArray().ToList();
        Assert.Contains(tokens, t => t.GetProperty("name").GetString() == "ci-job" && t.GetProperty("role").GetString() == "deployer");
        Assert.DoesNotContain(token, listed.Output, StringComparison.Ordinal);
        var table = await ServiceProcess.RunAsync(["token", "list", .. connect]);
        Assert.Contains("ci-job", table.Output, StringComparison.Ordinal);

        var created = await ServiceProcess.RunAsync(
            ["env", "create", "--project", "ledger", "--name", "prod", "--provider", "local", "--protected",
             "--var", $"local_root={Path.Combine(_root.FullName, "buckets")}", .. connect]);
        Assert.True(created.ExitCode == 0, created.Output);
        var deploy = await ServiceProcess.RunAsync(
            ["deploy", "--project", "ledger", "--env", "prod", "--infra", SampleInfrastructure.InfraFolder, "--manifest", SampleInfrastructure.ManifestFile,
             "--server", service.BaseAddress.ToString(), "--token", token]);
        Assert.True(deploy.ExitCode == 5, deploy.Output);
        var id = System.Text.RegularExpressions.Regex.Match(deploy.Output, @"infrar approve (\d+)").Groups[1].Value;

        var projects = JsonDocument.Parse((await ServiceProcess.RunAsync(["list", "projects", "--format", "json", .. connect])).Output).RootElement;
        Assert.Contains(projects.EnumerateArray(), p => p.GetProperty("name").GetString() == "ledger");
        var environments = await ServiceProcess.RunAsync(["list", "environments", "--project", "ledger", .. connect]);
        Assert.Contains("prod", environments.Output, StringComparison.Ordinal);
        Assert.Contains("local", environments.Output, StringComparison.Ordinal);
        var deployments = JsonDocument.Parse((await ServiceProcess.RunAsync(["list", "deployments", "--project", "ledger", "--env", "prod", "--format", "json", .. connect])).Output).RootElement;
        Assert.Equal(("awaiting_approval", "ci-job"), (deployments[0].GetProperty("status").GetString(), deployments[0].GetProperty("requestedBy").GetString()));

        // The project's source: the secret from a file, never echoed; a malformed branch is refused before any request.
        var secretFile = Path.Combine(_root.FullName, "webhook-secret");
        File.WriteAllText(secretFile, "a-secret-of-enough-length-for-github\n");
        var source = await ServiceProcess.RunAsync(
            ["source", "set", "--project", "ledger", "--repository", "https://git.example.com/ana/ledger.git", "--path", "app/Ledger.csproj",
             "--branch", "main=prod", "--webhook-secret-file", secretFile, .. connect]);
        Assert.True(source.ExitCode == 0, source.Output);
        Assert.Contains("a push to main deploys to prod", source.Output, StringComparison.Ordinal);
        Assert.Contains("/api/webhooks/github/ledger", source.Output, StringComparison.Ordinal);
        var shown = await ServiceProcess.RunAsync(["source", "show", "--project", "ledger", "--format", "json", .. connect]);
        Assert.True(JsonDocument.Parse(shown.Output).RootElement.GetProperty("hasWebhookSecret").GetBoolean());
        Assert.DoesNotContain("a-secret-of-enough-length", source.Output + shown.Output, StringComparison.Ordinal);
        var malformed = await ServiceProcess.RunAsync(["source", "set", "--project", "ledger", "--repository", "https://x/y.git", "--path", "a", "--branch", "main", .. connect]);
        Assert.Equal(2, malformed.ExitCode);
        Assert.Contains("expected branch=environment", malformed.Output, StringComparison.Ordinal);

        var cancel = await ServiceProcess.RunAsync(["cancel", id, .. connect]);
        Assert.True(cancel.ExitCode == 0, cancel.Output);
        Assert.Contains($"Deployment #{id}: cancelled", cancel.Output, StringComparison.Ordinal);
        var status = await ServiceProcess.RunAsync(["status", id, "--format", "json", .. connect]);
        Assert.Equal(4, status.ExitCode);
        Assert.Equal("cancelled", JsonDocument.Parse(status.Output).RootElement.GetProperty("status").GetString());
        Assert.Equal(1, (await ServiceProcess.RunAsync(["list", "projects", "--format", "yaml", .. connect])).ExitCode);

        var revoke = await ServiceProcess.RunAsync(["token", "revoke", "ci-job", .. connect]);
        Assert.True(revoke.ExitCode == 0, revoke.Output);
        var refused = await ServiceProcess.RunAsync(["list", "projects", "--server", service.BaseAddress.ToString(), "--token", token]);
        Assert.Equal(6, refused.ExitCode);
        Assert.Contains("401", refused.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
