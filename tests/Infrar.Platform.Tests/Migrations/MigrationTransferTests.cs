using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Infrar.Platform.Data;
using Infrar.Platform.Tests.Service;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Migrations;

/// <summary>
/// A bucket at or above the migration's transfer threshold is handed to the target cloud's transfer service: the
/// migration applies the transfer configuration, waits for the objects to appear on the target whole, verifies them,
/// and destroys the jobs. No cloud runs here, so this test plays Storage Transfer Service itself: when the stand-in
/// OpenTofu reports the jobs applied, it copies the bucket from s3rver to the Cloud Storage contract server through
/// the providers' SDKs, as the service would. What it checks is Infrar's side: which bucket goes where, what it hands
/// the service (and never writes or returns), how it waits, verifies, times out and cleans up.
/// </summary>
[Collection(MigrationCollection.Name)]
public sealed class MigrationTransferTests(MigrationEmulators emulators) : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-transfer-");

    [Fact]
    public async Task A_bucket_above_the_threshold_is_copied_by_storage_transfer_service_then_verified_and_its_jobs_destroyed()
    {
        await using var server = await StartAsync(TimeSpan.FromMinutes(10));
        using var admin = server.Client(server.AdminToken);
        var (media, notes) = await SeedAsync(admin, "big", "big-media", "big-notes");

        var id = (await MigrationClient.PlanAsync(admin, new { project = "big", from = "aws", to = "gcp", transferThreshold = 16 * 1024 })).GetProperty("id").GetInt64();
        var plan = (await MigrationClient.WaitForAsync(admin, id, "planned")).GetProperty("plan");
        Assert.Equal(16 * 1024, plan.GetProperty("transferThreshold").GetInt64());
        var engines = plan.GetProperty("buckets").EnumerateArray().ToDictionary(b => b.GetProperty("name").GetString()!, b => b);
        Assert.Equal("storage-transfer-service", engines["media"].GetProperty("engine").GetString());
        Assert.Contains("at or above the transfer threshold of 16 KiB", engines["media"].GetProperty("why").GetString(), StringComparison.Ordinal);
        Assert.Equal("infrar", engines["notes"].GetProperty("engine").GetString());
        Assert.Contains("below the transfer threshold", engines["notes"].GetProperty("why").GetString(), StringComparison.Ordinal);
        Assert.Contains(plan.GetProperty("risks").EnumerateArray(), r => r.GetString()!.StartsWith("bucket media: copied by Storage Transfer Service", StringComparison.Ordinal));

        await MigrationClient.PostAsync(admin, id, "start");
        await PlayStorageTransferServiceAsync(admin, server, id, "big-media", media, alter: null);
        var ready = await MigrationClient.WaitForAsync(admin, id, "ready");
        Assert.Equal(media.Count + notes.Count, ready.GetProperty("progress").GetProperty("copiedObjects").GetInt64());

        MigrationData.AssertSame(media, await emulators.ReadAllAsync("gcp", "big-media"), "aws → gcp by the transfer service");
        MigrationData.AssertSame(notes, await emulators.ReadAllAsync("gcp", "big-notes"), "aws → gcp by the service");

        // The service wrote none of the media objects (the transfer service wrote each once), and all of the notes.
        Assert.All(media.Keys, key => Assert.Equal(1, emulators.CloudStorage.Writes("big-media", key)));
        var objects = await admin.GetFromJsonAsync<JsonElement[]>($"/api/migrations/{id}/objects?limit=1000");
        Assert.All(objects!.Where(o => o.GetProperty("bucket").GetString() == "media"), o =>
            Assert.StartsWith("copied by Storage Transfer Service: size, content type, metadata and MD5", o.GetProperty("verifiedBy").GetString(), StringComparison.Ordinal));
        Assert.All(objects!.Where(o => o.GetProperty("bucket").GetString() == "notes"), o =>
            Assert.DoesNotContain("Storage Transfer Service", o.GetProperty("verifiedBy").GetString(), StringComparison.Ordinal));

        var log = await admin.GetStringAsync($"/api/migrations/{id}/log");
        Assert.Contains("stand-in: transfer applied: 1 jobs; variables: TF_VAR_source_aws_access_key_id TF_VAR_source_aws_secret_access_key", log, StringComparison.Ordinal);
        Assert.Contains($"infrar: Storage Transfer Service copied every object of media in pass 1; destroying the transfer jobs", log, StringComparison.Ordinal);
        Assert.Contains("stand-in: transfer destroyed", log, StringComparison.Ordinal);
        Assert.Contains($"infrar: verified {media.Count + notes.Count} objects on gcp", log, StringComparison.Ordinal);
        Assert.DoesNotContain("S3RVER", log, StringComparison.Ordinal);

        // What was applied can be read, names the physical buckets, and holds no key; nothing of it is left in the cloud.
        var transfer = await admin.GetFromJsonAsync<JsonElement>($"/api/migrations/{id}/transfer");
        Assert.False(transfer.GetProperty("live").GetBoolean());
        var hcl = transfer.GetProperty("files").GetProperty("transfer.tf").GetString()!;
        Assert.Contains("resource \"google_storage_transfer_job\" \"media\"", hcl, StringComparison.Ordinal);
        Assert.Contains("bucket_name = \"big-media\"", hcl, StringComparison.Ordinal);
        Assert.DoesNotContain("S3RVER", hcl, StringComparison.Ordinal);
        Assert.DoesNotContain("notes", hcl, StringComparison.Ordinal);
        Assert.Null(await TransferStateAsync(server, id));
    }

    [Fact]
    public async Task A_transfer_that_does_not_finish_in_time_fails_naming_what_is_missing_and_a_rollback_destroys_its_jobs()
    {
        // Long enough for the test's stand-in service to copy the bucket on a loaded machine before the time runs out
        // (6 s was not: on one CI run the timeout came first and 40 objects were missing, not 2).
        await using var server = await StartAsync(TimeSpan.FromSeconds(15));
        using var admin = server.Client(server.AdminToken);
        var (media, _) = await SeedAsync(admin, "stuck", "stuck-media", "stuck-notes");

        var id = (await MigrationClient.PlanAsync(admin, new { project = "stuck", from = "aws", to = "gcp", transferThreshold = 16 * 1024 })).GetProperty("id").GetInt64();
        await MigrationClient.WaitForAsync(admin, id, "planned");
        await MigrationClient.PostAsync(admin, id, "start");

        // The "service" copies all but one object, and one with another content type.
        var missing = media.Keys.Order(StringComparer.Ordinal).First();
        var changed = media.Keys.Order(StringComparer.Ordinal).Last();
        await PlayStorageTransferServiceAsync(admin, server, id, "stuck-media", media, alter: partial =>
        {
            partial.Remove(missing);
            partial[changed] = partial[changed] with { ContentType = "application/x-other" };
        });

        var failed = await MigrationClient.WaitForAsync(admin, id, "failed");
        Assert.StartsWith("Storage Transfer Service did not copy 2 objects within", failed.GetProperty("failure").GetString(), StringComparison.Ordinal);
        var log = await admin.GetStringAsync($"/api/migrations/{id}/log");
        Assert.Contains($"infrar: not on the target: media/{missing}: missing", log, StringComparison.Ordinal);
        Assert.Contains($"infrar: not on the target: media/{changed}: the target's content type is 'application/x-other'", log, StringComparison.Ordinal);
        Assert.Contains("stand-in: transfer destroyed", log, StringComparison.Ordinal);
        Assert.Null(await TransferStateAsync(server, id));

        // A retry hands the pass to the service again; a rollback then destroys those jobs too.
        Assert.Equal("copying", (await MigrationClient.PostAsync(admin, id, "retry")).GetProperty("status").GetString());
        await WaitForLogAsync(admin, id, "stand-in: transfer applied", occurrences: 2);
        await WaitForLiveTransferAsync(admin, id);
        var sealedState = await TransferStateAsync(server, id);
        Assert.StartsWith("v1:", sealedState, StringComparison.Ordinal);
        Assert.DoesNotContain("S3RVER", sealedState, StringComparison.Ordinal);

        Assert.Equal("rolled_back", (await MigrationClient.PostAsync(admin, id, "rollback")).GetProperty("migration").GetProperty("status").GetString());
        await WaitForLogAsync(admin, id, "stand-in: transfer destroyed", occurrences: 2);
        for (var i = 0; i < 100 && await TransferStateAsync(server, id) is not null; i++)
        {
            await Task.Delay(100);
        }

        Assert.Null(await TransferStateAsync(server, id));
        Assert.Contains("infrar: the migration is rolled_back; destroying the transfer jobs it created", await admin.GetStringAsync($"/api/migrations/{id}/log"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sas_made_for_storage_transfer_service_reads_and_lists_its_container_and_nothing_else()
    {
        var objects = MigrationData.Objects(3, large: 0, seed: 13);
        await emulators.WriteAllAsync("azure", "stuck-notes", objects);
        await using var store = Infrar.Platform.Migrations.Stores.AzureObjectStore.Create(emulators.Credentials("azure"), null, "stuck-notes");
        var sas = await store.CreateReadSasAsync(DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None);
        Assert.DoesNotContain("?", sas, StringComparison.Ordinal);
        Assert.Contains("sp=rl", sas, StringComparison.Ordinal);

        var service = new Azure.Storage.Blobs.BlobServiceClient(emulators.AzureConnectionString);
        var reader = new Azure.Storage.Blobs.BlobContainerClient(new Uri(service.GetBlobContainerClient("stuck-notes").Uri + "?" + sas));
        var listed = new List<string>();
        await foreach (var blob in reader.GetBlobsAsync())
        {
            listed.Add(blob.Name);
        }

        Assert.Equal(objects.Keys.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        var first = objects.Keys.First();
        Assert.Equal(objects[first].Content, (await reader.GetBlobClient(first).DownloadContentAsync()).Value.Content.ToArray());

        // It cannot write or delete there, nor read another container.
        var write = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => reader.GetBlobClient("planted.txt").UploadAsync(new BinaryData("x")));
        Assert.Equal(403, write.Status);
        Assert.Equal(403, (await Assert.ThrowsAsync<Azure.RequestFailedException>(() => reader.GetBlobClient(first).DeleteAsync())).Status);
        var other = new Azure.Storage.Blobs.BlobContainerClient(new Uri(service.GetBlobContainerClient("stuck-media").Uri + "?" + sas));
        Assert.Equal(403, (await Assert.ThrowsAsync<Azure.RequestFailedException>(() => other.GetBlobClient(first).DownloadContentAsync())).Status);
    }

    /// <summary>An aws environment holding two buckets (one of many small objects above 16 KiB, one tiny) and a deployed gcp one.</summary>
    private async Task<(Dictionary<string, StoredObject> Media, Dictionary<string, StoredObject> Notes)> SeedAsync(HttpClient admin, string name, string mediaBucket, string notesBucket)
    {
        var project = await MigrationClient.ProjectAsync(admin, name);
        var aws = await MigrationClient.EnvironmentAsync(admin, project, "aws", "aws", emulators.Credentials("aws"));
        var gcp = await MigrationClient.EnvironmentAsync(admin, project, "gcp", "gcp", emulators.Credentials("gcp"));
        var buckets = new Dictionary<string, string> { ["media"] = mediaBucket, ["notes"] = notesBucket };
        await MigrationClient.DeployAsync(admin, aws, MigrationData.Infra("aws", null, buckets), MigrationData.Manifest("aws", "media", "notes"));
        await MigrationClient.DeployAsync(admin, gcp, MigrationData.Infra("gcp", null, buckets), MigrationData.Manifest("gcp", "media", "notes"));
        var media = MigrationData.Objects(40, large: 0, seed: 11);
        var notes = MigrationData.Objects(3, large: 0, seed: 12).ToDictionary(o => o.Key, o => o.Value with { Content = o.Value.Content.Take(100).ToArray() });
        await emulators.WriteAllAsync("aws", mediaBucket, media);
        await emulators.WriteAllAsync("aws", notesBucket, notes);
        return (media, notes);
    }

    /// <summary>Waits for the migration to apply its transfer jobs, then copies the bucket as the cloud's service would.</summary>
    private async Task PlayStorageTransferServiceAsync(
        HttpClient admin, PlatformServer server, long id, string bucket, Dictionary<string, StoredObject> expected, Action<Dictionary<string, StoredObject>>? alter)
    {
        await WaitForLogAsync(admin, id, "stand-in: transfer applied", occurrences: 1);
        await WaitForLiveTransferAsync(admin, id);

        // Applied and live: its state is sealed in the database (it would hold the source's key), never in plain text.
        var sealedState = await TransferStateAsync(server, id);
        Assert.StartsWith("v1:", sealedState, StringComparison.Ordinal);
        Assert.DoesNotContain("S3RVER", sealedState, StringComparison.Ordinal);
        Assert.Empty(await emulators.ReadAllAsync("gcp", bucket));

        var copy = await emulators.ReadAllAsync("aws", bucket);
        Assert.Equal(expected.Count, copy.Count);
        alter?.Invoke(copy);
        await emulators.WriteAllAsync("gcp", bucket, copy);
    }

    /// <summary>Waits until the migration has recorded its transfer jobs as applied for the pass (its state is kept by then).</summary>
    private static async Task WaitForLiveTransferAsync(HttpClient client, long id)
    {
        for (var i = 0; i < 300; i++)
        {
            var transfer = await client.GetFromJsonAsync<JsonElement>($"/api/migrations/{id}/transfer");
            if (transfer.GetProperty("live").GetBoolean() && transfer.GetProperty("pass").ValueKind == JsonValueKind.Number)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"migration {id} never recorded its transfer jobs as applied");
    }

    private static async Task WaitForLogAsync(HttpClient client, long id, string line, int occurrences)
    {
        var log = "";
        for (var i = 0; i < 600; i++)
        {
            log = await client.GetStringAsync($"/api/migrations/{id}/log");
            if (log.Split(line).Length - 1 >= occurrences)
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the log never showed '{line}' {occurrences} times:\n{log}");
    }

    private static async Task<string?> TransferStateAsync(PlatformServer server, long id)
    {
        await using var connection = await Database.Sqlite(server.Options.DatabaseFile).OpenAsync(CancellationToken.None);
        return await connection.ExecuteScalarAsync<string?>("SELECT transfer_state FROM migrations WHERE id = @id", new { id });
    }

    private async Task<PlatformServer> StartAsync(TimeSpan timeout)
    {
        var standIn = StandInTofu.WriteWithOutputs(_root.FullName);
        return await PlatformServer.StartAsync(Path.Combine(_root.FullName, "data"), null, options =>
        {
            options.Tofu = standIn;
            options.MigrationTransferPoll = TimeSpan.FromMilliseconds(200);
            options.MigrationTransferTimeout = timeout;
        });
    }

    public void Dispose() => _root.Delete(recursive: true);
}
