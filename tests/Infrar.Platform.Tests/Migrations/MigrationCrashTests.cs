using System.Net.Http.Json;
using System.Text.Json;
using Infrar.Platform.Tests.Service;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Migrations;

/// <summary>
/// A real <c>infrar serve</c> process is SIGKILLed in the middle of a migration's copy and started again: the copy
/// finishes from where the database says it was, with no object written to the target twice (the Cloud Storage
/// contract server counts every completed write) and none missing.
/// </summary>
[Collection(MigrationCollection.Name)]
public sealed class MigrationCrashTests(MigrationEmulators emulators) : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-migration-crash-");

    [Fact]
    public async Task A_service_killed_mid_copy_finishes_it_after_restart_copying_no_object_twice_and_losing_none()
    {
        var data = Path.Combine(_root.FullName, "data");
        var localRoot = Path.Combine(_root.FullName, "local");
        string[] arguments = ["--tofu", StandInTofu.WriteWithOutputs(_root.FullName), "--lease-seconds", "2", "--migration-parallelism", "4"];
        var objects = MigrationData.Objects(600, large: 1, seed: 4);
        await MigrationData.SeedLocalAsync(localRoot, "crash-media", objects);

        // Each upload request takes 20 ms more, as over a real network: the copy lasts long enough to be killed in.
        emulators.CloudStorage.WriteDelay = TimeSpan.FromMilliseconds(20);
        try
        {
            long id;
            long copiedBeforeKill;
            using (var first = await ServiceProcess.ServeAsync(data, arguments))
            {
                using var client = Client(first, data);
                var project = await MigrationClient.ProjectAsync(client, "crash");
                var source = await MigrationClient.EnvironmentAsync(client, project, "src", "local", new Dictionary<string, string>(), localRoot);
                var target = await MigrationClient.EnvironmentAsync(client, project, "dst", "gcp", emulators.Credentials("gcp"));
                var buckets = new Dictionary<string, string> { ["media"] = "crash-media" };
                await MigrationClient.DeployAsync(client, source, MigrationData.Infra("local", localRoot, buckets), MigrationData.Manifest("local", "media"));
                await MigrationClient.DeployAsync(client, target, MigrationData.Infra("gcp", null, buckets), MigrationData.Manifest("gcp", "media"));

                id = (await MigrationClient.PlanAsync(client, new { project = "crash", from = "src", to = "dst" })).GetProperty("id").GetInt64();
                await MigrationClient.WaitForAsync(client, id, "planned");
                await MigrationClient.PostAsync(client, id, "start");
                copiedBeforeKill = await WaitForCopiedAsync(client, id, atLeast: 150);
                first.Kill();
            }

            Assert.InRange(copiedBeforeKill, 150, objects.Count - 100);
            using var second = await ServiceProcess.ServeAsync(data, arguments);
            using var restarted = Client(second, data);
            var ready = await MigrationClient.WaitForAsync(restarted, id, "ready");
            Assert.Equal(objects.Count, ready.GetProperty("progress").GetProperty("copiedObjects").GetInt64());

            Assert.All(objects.Keys, key => Assert.Equal(1, emulators.CloudStorage.Writes("crash-media", key)));
            MigrationData.AssertSame(objects, await emulators.ReadAllAsync("gcp", "crash-media"), "after the restart");
            var log = await restarted.GetStringAsync($"/api/migrations/{id}/log");
            Assert.Matches(@"infrar: \d+ objects were being copied when the copy stopped: \d+ were already whole on the target, \d+ are copied again", log);
            Assert.Empty(emulators.CloudStorage.Violations);

            // The CLI shows the same migration, and moves it on.
            var cli = new Dictionary<string, string>
            {
                ["INFRAR_SERVER"] = second.BaseAddress.ToString(),
                ["INFRAR_TOKEN"] = File.ReadAllText(Path.Combine(data, "admin-token")).Trim(),
            };
            var status = await ServiceProcess.RunAsync(cli, "migrate", "status", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(status.ExitCode == 0, status.Output);
            Assert.Contains($"Migration #{id}: src → dst, ready (pass 1)", status.Output, StringComparison.Ordinal);
            Assert.Contains($"{objects.Count} of {objects.Count} objects", status.Output, StringComparison.Ordinal);
            Assert.Contains("risks:", status.Output, StringComparison.Ordinal);
            var cutover = await ServiceProcess.RunAsync(cli, "migrate", "cutover", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(cutover.ExitCode == 0, cutover.Output);
            Assert.Contains("cut_over", cutover.Output, StringComparison.Ordinal);
            var again = await ServiceProcess.RunAsync(cli, "migrate", "cutover", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(6, again.ExitCode);
            Assert.Contains("409 Conflict: Migration", again.Output, StringComparison.Ordinal);
        }
        finally
        {
            emulators.CloudStorage.WriteDelay = TimeSpan.Zero;
        }
    }

    private static async Task<long> WaitForCopiedAsync(HttpClient client, long id, long atLeast)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var migration = await client.GetFromJsonAsync<JsonElement>($"/api/migrations/{id}");
            var copied = migration.GetProperty("progress").GetProperty("copiedObjects").GetInt64();
            if (copied >= atLeast)
            {
                return copied;
            }

            Assert.True(DateTime.UtcNow < deadline && migration.GetProperty("status").GetString() is "provisioning" or "copying", $"the copy never reached {atLeast} objects: {migration}");
            await Task.Delay(20);
        }
    }

    private static HttpClient Client(ServiceProcess service, string data) =>
        PlatformApi.Client(service.BaseAddress, File.ReadAllText(Path.Combine(data, "admin-token")).Trim());

    public void Dispose() => _root.Delete(recursive: true);
}
