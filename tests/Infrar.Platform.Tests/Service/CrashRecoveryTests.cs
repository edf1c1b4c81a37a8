using System.Net.Http.Json;
using System.Text.Json;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// A real <c>infrar serve</c> process is killed in the middle of an apply and started again: the deployment is not
/// left applying, but failed as interrupted with its log, and the environment's lock is free for the next one.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CrashRecoveryTests(PostgresServer postgres) : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-crash-");

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_service_killed_mid_apply_marks_the_deployment_interrupted_and_frees_the_environment(string database)
    {
        var data = Path.Combine(_root.FullName, "data");
        var storage = database == "postgres" ? new[] { "--postgres", await postgres.CreateDatabaseAsync() } : [];

        // terraform, except that an apply hangs long enough to be killed in.
        var slowTofu = Path.Combine(_root.FullName, "slow-tofu");
        File.WriteAllText(slowTofu, "#!/bin/sh\nif [ \"$1\" = apply ]; then echo 'slow apply: started'; sleep 300; fi\nexec terraform \"$@\"\n");
        // Readable by the sandbox's unprivileged user, which runs it.
        File.SetUnixFileMode(slowTofu, (UnixFileMode)0b111_101_101);

        long environment, deployment;
        using (var first = await ServiceProcess.ServeAsync(data, [.. storage, "--tofu", slowTofu, "--lease-seconds", "2"]))
        {
            using var client = Client(first, data);
            environment = await PlatformApi.CreateEnvironmentAsync(client, "photos", "dev", Path.Combine(_root.FullName, "buckets"));
            deployment = (await PlatformApi.DeployAsync(client, environment)).GetProperty("id").GetInt64();
            await PlatformApi.WaitForLogAsync(client, deployment, "slow apply: started");
            Assert.Equal("applying", (await client.GetFromJsonAsync<JsonElement>($"/api/deployments/{deployment}")).GetProperty("status").GetString());

            first.Kill();
        }

        using var second = await ServiceProcess.ServeAsync(data, [.. storage, "--lease-seconds", "2"]);
        using var restarted = Client(second, data);
        var interrupted = await PlatformApi.WaitForAsync(restarted, deployment, "failed");
        Assert.StartsWith("interrupted:", interrupted.GetProperty("failure").GetString(), StringComparison.Ordinal);
        var log = await restarted.GetStringAsync($"/api/deployments/{deployment}/log");
        Assert.Contains("slow apply: started", log, StringComparison.Ordinal);
        Assert.Contains("infrar: interrupted:", log, StringComparison.Ordinal);
        var audit = await restarted.GetStringAsync("/api/audit");
        Assert.Contains("deployment.interrupted", audit, StringComparison.Ordinal);

        // The lock went with the interrupted deployment: the next one runs to the end.
        var next = (await PlatformApi.DeployAsync(restarted, environment)).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(restarted, next, "succeeded");
    }

    [Fact]
    public async Task A_job_whose_worker_died_before_starting_it_is_queued_again_not_left_holding_the_environment()
    {
        var data = Path.Combine(_root.FullName, "data");
        long environment, deployment;
        await using (var apiOnly = await PlatformServer.StartAsync(data, null, options => options.RunWorker = false))
        {
            using var client = apiOnly.Client(apiOnly.AdminToken);
            environment = await PlatformApi.CreateEnvironmentAsync(client, "photos", "dev", Path.Combine(_root.FullName, "buckets"));
            deployment = (await PlatformApi.DeployAsync(client, environment)).GetProperty("id").GetInt64();

            // A worker claimed the job (and with it the environment), then died before the deployment moved on.
            await using var connection = await Data.Database.Sqlite(apiOnly.Options.DatabaseFile).OpenAsync();
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE jobs SET state = 'running', owner = 'dead-worker', lease_until = 1 WHERE deployment_id = @deployment", new { deployment });
            await Dapper.SqlMapper.ExecuteAsync(connection, "INSERT INTO environment_locks (environment_id, deployment_id, acquired_at) VALUES (@environment, @deployment, 1)", new { environment, deployment });
        }

        await using var worker = await PlatformServer.StartAsync(data, null);
        using var admin = worker.Client(worker.AdminToken);
        await PlatformApi.WaitForAsync(admin, deployment, "succeeded");
        Assert.Contains("infrar: the worker (dead-worker) stopped before starting this deployment; queued again", await admin.GetStringAsync($"/api/deployments/{deployment}/log"), StringComparison.Ordinal);
        var next = (await PlatformApi.DeployAsync(admin, environment)).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(admin, next, "succeeded");
    }

    public void Dispose() => _root.Delete(recursive: true);

    private static HttpClient Client(ServiceProcess service, string data) =>
        PlatformApi.Client(service.BaseAddress, File.ReadAllText(Path.Combine(data, "admin-token")).Trim());

}
