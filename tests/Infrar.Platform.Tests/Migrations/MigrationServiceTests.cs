using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Infrar.Platform.Tests.Service;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Migrations;

/// <summary>
/// Migrations through the service's API, copying real data between real SDKs and emulators: local → aws (s3rver) →
/// azure (Azurite) → gcp (the Cloud Storage contract server), then catch-up, cutover, rollback and cleanup. OpenTofu is
/// a stand-in here (it cannot reach a cloud): its apply changes nothing and its outputs name the buckets, as a real
/// apply's would.
/// </summary>
[Collection(MigrationCollection.Name)]
public sealed class MigrationServiceTests(MigrationEmulators emulators, PostgresServer postgres) : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-migration-");

    [Fact]
    public async Task An_app_and_its_data_move_from_local_to_aws_to_azure_to_gcp_byte_for_byte()
    {
        await using var server = await StartAsync(postgres: null);
        using var admin = server.Client(server.AdminToken);
        var project = await MigrationClient.ProjectAsync(admin, "gallery");
        var localRoot = Path.Combine(_root.FullName, "local");
        var dev = await MigrationClient.EnvironmentAsync(admin, project, "dev", "local", new Dictionary<string, string>(), localRoot);
        foreach (var provider in new[] { "aws", "azure", "gcp" })
        {
            await MigrationClient.EnvironmentAsync(admin, project, provider, provider, emulators.Credentials(provider));
        }

        var buckets = new Dictionary<string, string> { ["media"] = "gallery-media", ["archive"] = "gallery-archive" };
        await MigrationClient.DeployAsync(admin, dev, MigrationData.Infra("local", localRoot, buckets), MigrationData.Manifest("local", "media", "archive"));
        var media = MigrationData.Objects(2000, large: 2, seed: 1);
        var archive = MigrationData.Objects(40, large: 0, seed: 2);
        await MigrationData.SeedLocalAsync(localRoot, "gallery-media", media);
        await MigrationData.SeedLocalAsync(localRoot, "gallery-archive", archive);

        var from = "dev";
        foreach (var to in new[] { "aws", "azure", "gcp" })
        {
            // The migration deploys the target itself, from the target build's infra and manifest.
            var planned = await MigrationClient.PlanAsync(admin, new
            {
                project = "gallery",
                from,
                to,
                infra = MigrationData.Infra(to, null, buckets),
                manifest = MigrationData.Manifest(to, "media", "archive"),
            });
            var id = planned.GetProperty("id").GetInt64();
            Assert.Equal("planning", planned.GetProperty("status").GetString());

            var plan = (await MigrationClient.WaitForAsync(admin, id, "planned")).GetProperty("plan");
            var mediaPlan = plan.GetProperty("buckets").EnumerateArray().Single(b => b.GetProperty("name").GetString() == "media");
            Assert.Equal(media.Count, mediaPlan.GetProperty("objects").GetInt64());
            Assert.Equal(media.Values.Sum(o => (long)o.Content.Length), mediaPlan.GetProperty("bytes").GetInt64());
            Assert.Equal(["media", "archive"], plan.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("name").GetString()));
            Assert.All(plan.GetProperty("resources").EnumerateArray(), r => Assert.Equal("create", r.GetProperty("action").GetString()));
            var cost = plan.GetProperty("cost");
            Assert.True(cost.GetProperty("targetMonthly").GetDecimal() > 0, cost.ToString());
            Assert.Equal(JsonValueKind.Number, cost.GetProperty("copyEgress").ValueKind);
            Assert.True(plan.GetProperty("estimatedSeconds").GetDouble() > 0);

            // Upload URLs work differently on Azure (the catalog's limitation); the plan says so before anything moves.
            var risks = plan.GetProperty("risks").EnumerateArray().Select(r => r.GetString()!).ToList();
            Assert.Contains(risks, r => r.Contains("copied with their content, content type and metadata", StringComparison.Ordinal));
            Assert.Equal(to == "azure" ? 2 : 0, risks.Count(r => r.Contains("signed_write_url (Program.cs:", StringComparison.Ordinal) && r.Contains("x-ms-blob-type", StringComparison.Ordinal)));

            await MigrationClient.PostAsync(admin, id, "start");
            var ready = await MigrationClient.WaitForAsync(admin, id, "ready");
            var progress = ready.GetProperty("progress");
            Assert.Equal(media.Count + archive.Count, progress.GetProperty("copiedObjects").GetInt64());
            Assert.Equal(0, progress.GetProperty("failedObjects").GetInt64());

            MigrationData.AssertSame(media, await emulators.ReadAllAsync(to, "gallery-media"), $"{from} → {to} media");
            MigrationData.AssertSame(archive, await emulators.ReadAllAsync(to, "gallery-archive"), $"{from} → {to} archive");
            var log = await admin.GetStringAsync($"/api/migrations/{id}/log");
            Assert.Contains($"infrar: verified {media.Count + archive.Count} objects on {to}", log, StringComparison.Ordinal);

            // Each object records how the target confirmed it; the large ones went in parts.
            var objects = await admin.GetFromJsonAsync<JsonElement[]>($"/api/migrations/{id}/objects?bucket=media&limit=1000");
            Assert.All(objects!, o => Assert.Equal("copied", o.GetProperty("state").GetString()));
            var large = (await AllObjectsAsync(admin, id)).Single(o => o.GetProperty("key").GetString() == "video/large 0.mp4");
            Assert.Contains(to == "gcp" ? "md5Hash" : "3", large.GetProperty("verifiedBy").GetString(), StringComparison.Ordinal);

            // The target's deployment is the requester's own (so on a protected target someone else approves it).
            var provisioned = await admin.GetFromJsonAsync<JsonElement>($"/api/deployments/{ready.GetProperty("targetDeploymentId").GetInt64()}");
            Assert.Equal(("admin", "succeeded"), (provisioned.GetProperty("requestedBy").GetString(), provisioned.GetProperty("status").GetString()));
            Assert.Contains($"infrar: submitted by migration {id}, requested by admin", await admin.GetStringAsync($"/api/deployments/{provisioned.GetProperty("id").GetInt64()}/log"), StringComparison.Ordinal);

            var cutOver = await MigrationClient.PostAsync(admin, id, "cutover");
            Assert.Equal("cut_over", cutOver.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.String, cutOver.GetProperty("cutOverAt").ValueKind);
            from = to;
        }

        // The source of the first move was only read: its objects are all still there, unchanged.
        var stillLocal = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
        await foreach (var entry in Infrar.Internal.LocalBuckets.At(localRoot, "gallery-media").ListAsync())
        {
            stillLocal[entry.Key] = media[entry.Key];
            Assert.Equal(media[entry.Key].Content.Length, entry.Size);
        }

        Assert.Equal(media.Count, stillLocal.Count);
        Assert.Empty(emulators.CloudStorage.Violations);
    }

    [Fact]
    public async Task Catch_up_copies_only_what_changed_rollback_reports_new_objects_and_cleanup_waits_for_a_whole_target()
    {
        await using var server = await StartAsync(await postgres.CreateDatabaseAsync());
        using var admin = server.Client(server.AdminToken);
        var approverToken = await server.CreateTokenAsync("approver", "approver");
        using var approver = server.Client(approverToken);
        var project = await MigrationClient.ProjectAsync(admin, "notes");
        var localRoot = Path.Combine(_root.FullName, "local");
        var source = await MigrationClient.EnvironmentAsync(admin, project, "src", "local", new Dictionary<string, string>(), localRoot);
        var target = await MigrationClient.EnvironmentAsync(admin, project, "dst", "gcp", emulators.Credentials("gcp"), isProtected: true);
        var buckets = new Dictionary<string, string> { ["files"] = "notes-files" };
        var sourceDeployment = await MigrationClient.DeployAsync(admin, source, MigrationData.Infra("local", localRoot, buckets), MigrationData.Manifest("local", "files"));
        var data = MigrationData.Objects(60, large: 0, seed: 3);
        await MigrationData.SeedLocalAsync(localRoot, "notes-files", data);

        // The target is deployed already (and protected: its deployment needs another user's approval too).
        var deploying = await admin.PostAsJsonAsync($"/api/environments/{target}/deployments", new { infra = MigrationData.Infra("gcp", null, buckets), manifest = MigrationData.Manifest("gcp", "files") });
        var targetDeployment = (await deploying.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(admin, targetDeployment, "awaiting_approval");
        (await approver.PostAsync($"/api/deployments/{targetDeployment}/approve", null)).EnsureSuccessStatusCode();
        await PlatformApi.WaitForAsync(admin, targetDeployment, "succeeded");

        var id = (await MigrationClient.PlanAsync(admin, new { project = "notes", from = "src", to = "dst" })).GetProperty("id").GetInt64();
        var plan = (await MigrationClient.WaitForAsync(admin, id, "planned")).GetProperty("plan");
        Assert.Equal(targetDeployment, plan.GetProperty("target").GetProperty("deploymentId").GetInt64());
        Assert.All(plan.GetProperty("resources").EnumerateArray(), r => Assert.Equal("exists", r.GetProperty("action").GetString()));

        // A protected target: the start waits for another user's approval, and the requester cannot give it.
        Assert.Equal("awaiting_approval", (await MigrationClient.PostAsync(admin, id, "start")).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.PostAsync($"/api/migrations/{id}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/migrations/{id}/cutover", null)).StatusCode);

        // The approver approves in the dashboard, and watches the copy there until the migration is ready.
        await using (var browser = await Chromium.LaunchAsync())
        await using (var page = await browser.NewPageAsync())
        {
            await Chromium.SignInAsync(page, server.BaseAddress, approverToken);
            await page.GoToAsync(new Uri(server.BaseAddress, $"/ui/migrations/{id}").ToString());
            var shown = await page.EvaluateExpressionAsync<string>("document.querySelector('main').textContent");
            Assert.Contains("Monthly on dst (gcp)", shown, StringComparison.Ordinal);
            Assert.Contains("copied with their content, content type and metadata", shown, StringComparison.Ordinal);
            await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#approve"));
            await page.WaitForFunctionAsync("() => document.getElementById('status')?.textContent === 'ready'", new PuppeteerSharp.WaitForFunctionOptions { Timeout = 120_000 });
            await page.WaitForFunctionAsync("() => document.getElementById('log').textContent.includes('infrar: verified 60 objects on dst')", new PuppeteerSharp.WaitForFunctionOptions { Timeout = 30_000 });
            await page.WaitForFunctionAsync("() => document.getElementById('progress').textContent.startsWith('60 of 60 objects')", new PuppeteerSharp.WaitForFunctionOptions { Timeout = 30_000 });
            await page.WaitForSelectorAsync("#cutover", new PuppeteerSharp.WaitForSelectorOptions { Timeout = 30_000 });
        }

        Assert.Equal("approver", (await admin.GetFromJsonAsync<JsonElement>($"/api/migrations/{id}")).GetProperty("approvedBy").GetString());
        await MigrationClient.WaitForAsync(admin, id, "ready");
        MigrationData.AssertSame(data, await emulators.ReadAllAsync("gcp", "notes-files"), "first pass");
        Assert.All(data.Keys, key => Assert.Equal(1, emulators.CloudStorage.Writes("notes-files", key)));

        // The app keeps writing on the source: two new objects, two changed, one deleted. Catch-up copies those four.
        var bucket = Infrar.Internal.LocalBuckets.At(localRoot, "notes-files");
        var keys = data.Keys.Order(StringComparer.Ordinal).ToList();
        var (changed, deleted, unchanged) = (keys[..2], keys[2], keys[3..]);
        foreach (var key in changed)
        {
            data[key] = data[key] with { Content = [.. data[key].Content, 42] };
        }

        data["new/one.txt"] = new StoredObject([1, 2, 3], "text/plain", new Dictionary<string, string>());
        data["new/two.txt"] = new StoredObject([], "text/plain", new Dictionary<string, string> { ["empty"] = "yes" });
        foreach (var key in changed.Append("new/one.txt").Append("new/two.txt"))
        {
            await bucket.UploadAsync(key, data[key].Content, new UploadOptions { ContentType = data[key].ContentType, Metadata = data[key].Metadata });
        }

        await bucket.DeleteAsync(deleted);
        Assert.Equal(2, (await MigrationClient.PostAsync(admin, id, "catchup")).GetProperty("pass").GetInt64());
        await MigrationClient.WaitForAsync(admin, id, "ready");
        foreach (var key in changed)
        {
            Assert.Equal(2, emulators.CloudStorage.Writes("notes-files", key));
        }

        Assert.Equal(1, emulators.CloudStorage.Writes("notes-files", "new/one.txt"));
        Assert.All(unchanged, key => Assert.Equal(1, emulators.CloudStorage.Writes("notes-files", key)));
        var log = await admin.GetStringAsync($"/api/migrations/{id}/log");
        Assert.Contains("pass 2: copied 4 objects", log, StringComparison.Ordinal);
        Assert.Contains($"deleted from the source since the last pass (left on the target): files/{deleted}", log, StringComparison.Ordinal);

        // Cutover, then a write on the target only; rollback names it, so it can be copied back.
        await MigrationClient.PostAsync(admin, id, "cutover");
        var client = await new Google.Cloud.Storage.V1.StorageClientBuilder { BaseUri = $"http://127.0.0.1:{emulators.CloudStorage.Port}/storage/v1/", UnauthenticatedAccess = true }.BuildAsync();
        await Task.Delay(10);
        await client.UploadObjectAsync("notes-files", "after/cutover.txt", "text/plain", new MemoryStream([7]));
        var rolledBack = await MigrationClient.PostAsync(admin, id, "rollback");
        Assert.Equal("rolled_back", rolledBack.GetProperty("migration").GetProperty("status").GetString());
        Assert.Equal(1, rolledBack.GetProperty("writtenAfterCutover").GetInt64());
        Assert.Equal(["files/after/cutover.txt"], rolledBack.GetProperty("objects").EnumerateArray().Select(o => o.GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/migrations/{id}/cutover", null)).StatusCode);

        // Cleanup: only with the source named, and only once the target holds every object of the source.
        await client.DeleteObjectAsync("notes-files", "after/cutover.txt");
        var second = (await MigrationClient.PlanAsync(admin, new { project = "notes", from = "src", to = "dst" })).GetProperty("id").GetInt64();
        await MigrationClient.WaitForAsync(admin, second, "planned");
        await MigrationClient.PostAsync(admin, second, "start");
        await MigrationClient.PostAsync(approver, second, "approve");
        await MigrationClient.WaitForAsync(admin, second, "ready");
        await MigrationClient.PostAsync(admin, second, "cutover");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/migrations/{second}/cleanup", new { confirm = "dst" })).StatusCode);
        await client.DeleteObjectAsync("notes-files", "new/one.txt");
        await MigrationClient.PostAsync(admin, second, "cleanup", new { confirm = "src" });
        var refused = await MigrationClient.WaitForAsync(admin, second, "cut_over");
        Assert.StartsWith("cleanup refused: 1 objects", refused.GetProperty("failure").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain((await admin.GetFromJsonAsync<JsonElement[]>($"/api/environments/{source}/deployments"))!, d => d.GetProperty("kind").GetString() == "destroy");

        await client.UploadObjectAsync("notes-files", "new/one.txt", "text/plain", new MemoryStream(data["new/one.txt"].Content));
        await MigrationClient.PostAsync(admin, second, "cleanup", new { confirm = "src" });
        var cleaned = await MigrationClient.WaitForAsync(admin, second, "cleaned_up");
        var destroy = await admin.GetFromJsonAsync<JsonElement>($"/api/deployments/{cleaned.GetProperty("cleanupDeploymentId").GetInt64()}");
        Assert.Equal(("destroy", "destroyed"), (destroy.GetProperty("kind").GetString(), destroy.GetProperty("status").GetString()));
        Assert.Equal(sourceDeployment, (await admin.GetFromJsonAsync<JsonElement>($"/api/migrations/{second}")).GetProperty("sourceDeploymentId").GetInt64());

        var transitions = (await admin.GetFromJsonAsync<JsonElement[]>($"/api/migrations/{second}/transitions"))!.Select(t => t.GetProperty("to").GetString());
        Assert.Equal(
            ["planning", "planned", "awaiting_approval", "provisioning", "copying", "verifying", "ready", "cut_over", "cleaning_up", "cut_over", "cleaning_up", "cleaned_up"],
            transitions);
        var audit = await PlatformApi.AuditAsync(admin, row => row.GetProperty("action").GetString() == "POST /api/migrations/{id:long}/cleanup");
        Assert.Contains(audit, row => row.GetProperty("action").GetString() == "POST /api/migrations/{id:long}/approve" && row.GetProperty("actor").GetString() == "approver");
    }

    [Fact]
    public async Task A_protected_sources_data_leaves_it_only_after_another_users_approval()
    {
        await using var server = await StartAsync(postgres: null);
        using var admin = server.Client(server.AdminToken);
        using var deployer = server.Client(await server.CreateTokenAsync("deployer", "deployer"));
        using var viewer = server.Client(await server.CreateTokenAsync("viewer", "viewer"));
        using var approver = server.Client(await server.CreateTokenAsync("approver", "approver"));
        var project = await MigrationClient.ProjectAsync(admin, "guarded");
        var localRoot = Path.Combine(_root.FullName, "local");
        var production = await MigrationClient.EnvironmentAsync(admin, project, "prod", "local", new Dictionary<string, string>(), localRoot, isProtected: true);
        var scratch = await MigrationClient.EnvironmentAsync(admin, project, "scratch", "gcp", emulators.Credentials("gcp"));
        var buckets = new Dictionary<string, string> { ["files"] = "guarded-files" };
        var deploying = await admin.PostAsJsonAsync($"/api/environments/{production}/deployments", new { infra = MigrationData.Infra("local", localRoot, buckets), manifest = MigrationData.Manifest("local", "files") });
        var productionDeployment = (await deploying.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(admin, productionDeployment, "awaiting_approval");
        (await approver.PostAsync($"/api/deployments/{productionDeployment}/approve", null)).EnsureSuccessStatusCode();
        await PlatformApi.WaitForAsync(admin, productionDeployment, "succeeded");
        await MigrationClient.DeployAsync(admin, scratch, MigrationData.Infra("gcp", null, buckets), MigrationData.Manifest("gcp", "files"));
        await MigrationData.SeedLocalAsync(localRoot, "guarded-files", MigrationData.Objects(5, large: 0, seed: 5));

        // A deployer plans copying production into an environment nobody protects: it waits for someone else.
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/migrations", new { project = "guarded", from = "prod", to = "scratch" })).StatusCode);
        var id = (await MigrationClient.PlanAsync(deployer, new { project = "guarded", from = "prod", to = "scratch" })).GetProperty("id").GetInt64();
        await MigrationClient.WaitForAsync(deployer, id, "planned");
        Assert.Equal("awaiting_approval", (await MigrationClient.PostAsync(deployer, id, "start")).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await deployer.PostAsync($"/api/migrations/{id}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/migrations/{id}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/migrations/{id}/cancel", null)).StatusCode);
        await Task.Delay(500);
        Assert.Empty(await emulators.ReadAllAsync("gcp", "guarded-files"));

        Assert.Equal("cancelled", (await MigrationClient.PostAsync(deployer, id, "cancel")).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/migrations/{id}/approve", null)).StatusCode);
        Assert.Empty(await emulators.ReadAllAsync("gcp", "guarded-files"));
    }

    private static async Task<List<JsonElement>> AllObjectsAsync(HttpClient client, long id)
    {
        var all = new List<JsonElement>();
        long after = 0;
        while (await client.GetFromJsonAsync<JsonElement[]>($"/api/migrations/{id}/objects?after={after}&limit=1000") is { Length: > 0 } page)
        {
            all.AddRange(page);
            after = page[^1].GetProperty("id").GetInt64();
        }

        return all;
    }

    private async Task<PlatformServer> StartAsync(string? postgres)
    {
        var standIn = StandInTofu.WriteWithOutputs(_root.FullName);
        return await PlatformServer.StartAsync(Path.Combine(_root.FullName, "data"), postgres, options => options.Tofu = standIn);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
