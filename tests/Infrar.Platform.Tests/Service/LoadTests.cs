using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Infrar.Testing;
using Infrar.Platform.Data;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// The service under load, on a real PostgreSQL server with a small pool and on SQLite: every submission is either
/// accepted and deployed exactly once, or refused with 503 having created nothing; a retry with the same
/// Idempotency-Key creates nothing new; every request has exactly one audit row with the answer it got; two instances
/// and a SIGKILL of one lose and double nothing; several jobs run at once, one per environment.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class LoadTests(PostgresServer postgres, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string SubmitAction = "POST /api/environments/{id:long}/deployments";
    private readonly List<IAsyncDisposable> _servers = [];
    private DirectoryInfo _root = null!;

    private string Buckets => Path.Combine(_root.FullName, "buckets");

    public Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("infrar-load-");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        _root.Delete(recursive: true);
    }

    [Fact]
    public async Task Under_load_a_pool_of_ten_accepts_or_refuses_each_submission_once_and_audits_each_request()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var server = await StartAsync(connectionString, options =>
        {
            options.DatabasePoolSize = 10;
            options.DatabaseWait = TimeSpan.FromSeconds(1);
            options.Tofu = StandInTofu.Write(_root.FullName, TimeSpan.Zero);
        });
        using var admin = server.Client(server.AdminToken);
        using var deployer = server.Client(await server.CreateTokenAsync("dee", "deployer"));
        using var reader = server.Client(await server.CreateTokenAsync("vic", "viewer"));
        var environments = await EnvironmentsAsync(admin, 30);

        // 150 submissions at once, while 50 readers keep asking for deployments.
        var answers = new ConcurrentBag<(string Key, HttpStatusCode Status, string Outcome, long? Id)>();
        using var reading = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 50).Select(r => ReadUntilCancelledAsync(reader, environments[r % environments.Count], reading.Token)).ToList();
        var keys = Enumerable.Range(0, 150).Select(i => $"submission-{i}").ToList();
        await Task.WhenAll(keys.Select((key, i) => Task.Run(async () => answers.Add(await SubmitAsync(deployer, environments[i % environments.Count], key)))));
        await reading.CancelAsync();
        var reads = (await Task.WhenAll(readers)).SelectMany(r => r).ToList();

        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"{a.Key}: {a.Status}"));
        Assert.All(reads, status => Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"a read got {status}"));
        var accepted = answers.Where(a => a.Status == HttpStatusCode.Accepted).ToDictionary(a => a.Key, a => a.Id!.Value);
        output.WriteLine($"submissions: {accepted.Count} accepted, {answers.Count - accepted.Count} refused with 503; reads: {reads.Count(r => r == HttpStatusCode.OK)} answered, {reads.Count(r => r != HttpStatusCode.OK)} refused with 503");

        // What exists is exactly what was accepted: no 503 left a deployment behind.
        await WaitUntilAllEndedAsync(connectionString);
        var stored = await DeploymentsAsync(connectionString);
        Assert.Equal(accepted.OrderBy(a => a.Value).Select(a => (a.Value, a.Key)), stored.Select(d => (d.Id, d.Marker)));
        Assert.All(stored, d => Assert.Equal("succeeded", d.Status));
        Assert.Equal(accepted.Keys.Order(), StandInTofu.Applies(Buckets).Select(a => a.Marker).Order());

        // Every submission again, with its key: the accepted ones get their deployment back, the refused ones are made now.
        foreach (var (key, i) in keys.Select((key, i) => (key, i)))
        {
            var again = await SubmitUntilAcceptedAsync(deployer, environments[i % environments.Count], key);
            answers.Add(again.Last());
            foreach (var refused in again.SkipLast(1))
            {
                answers.Add(refused);
            }

            if (accepted.TryGetValue(key, out var first))
            {
                Assert.Equal(first, again.Last().Id);
                Assert.StartsWith("202 replayed /api/deployments/", again.Last().Outcome, StringComparison.Ordinal);
            }
        }

        await WaitUntilAllEndedAsync(connectionString);
        stored = await DeploymentsAsync(connectionString);
        Assert.Equal(keys.Order(), stored.Select(d => d.Marker).Order());
        Assert.Equal(keys.Order(), StandInTofu.Applies(Buckets).Select(a => a.Marker).Order());

        // One audit row per request, with the answer it got.
        var expected = answers.Select(a => a.Outcome).Order().ToList();
        var audited = await AuditOutcomesAsync(admin, "dee", SubmitAction, expected.Count);
        Assert.Equal(expected, audited);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_database_that_cannot_give_a_connection_in_time_answers_503_changes_nothing_and_a_retry_goes_through(string database)
    {
        var connectionString = database == "postgres" ? await postgres.CreateDatabaseAsync() : null;
        var server = await StartAsync(connectionString, options =>
        {
            options.DatabasePoolSize = 3;
            options.DatabaseWait = TimeSpan.FromSeconds(1);
            options.Tofu = StandInTofu.Write(_root.FullName, TimeSpan.Zero);
        });
        using var admin = server.Client(server.AdminToken);
        using var deployer = server.Client(await server.CreateTokenAsync("dee", "deployer"));
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "shop", "dev", Path.Combine(Buckets, "dev"));
        Assert.Equal(HttpStatusCode.OK, (await deployer.GetAsync($"/api/environments/{environment}")).StatusCode);

        // Take what the service would need: every connection of its pool, or SQLite's write lock.
        var held = new List<IAsyncDisposable>();
        if (database == "postgres")
        {
            for (var i = 0; i < 3; i++)
            {
                held.Add(await server.Services.GetRequiredService<Database>().OpenAsync());
            }
        }
        else
        {
            var writer = await Database.Sqlite(server.Options.DatabaseFile).OpenAsync();
            var transaction = await Database.Sqlite(server.Options.DatabaseFile).BeginWriteAsync(writer);
            held.Add(transaction);
            held.Add(writer);
        }

        var refused = await SubmitAsync(deployer, environment, "busy-1");
        var response = await deployer.SendAsync(Submission(environment, "busy-2"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
        Assert.Contains("nothing was changed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var connectionOrTransaction in held)
        {
            await connectionOrTransaction.DisposeAsync();
        }

        Assert.Empty(await DeploymentsAsync(connectionString ?? server.Options.DatabaseFile, sqlite: database == "sqlite"));
        var retried = await SubmitAsync(deployer, environment, "busy-1");
        Assert.Equal(HttpStatusCode.Accepted, retried.Status);
        Assert.Equal(HttpStatusCode.Accepted, (await SubmitAsync(deployer, environment, "busy-1")).Status);
        Assert.Single(await DeploymentsAsync(connectionString ?? server.Options.DatabaseFile, sqlite: database == "sqlite"));
        Assert.Equal(
            ["202", "202 replayed /api/deployments/1", "503", "503"],
            await AuditOutcomesAsync(admin, "dee", SubmitAction, 4));
    }

    [Fact]
    public async Task An_Idempotency_Key_returns_the_first_answer_refuses_another_request_and_holds_under_a_race()
    {
        var server = await StartAsync(null, options => options.Tofu = StandInTofu.Write(_root.FullName, TimeSpan.Zero));
        using var admin = server.Client(server.AdminToken);
        using var deployer = server.Client(await server.CreateTokenAsync("dee", "deployer"));
        using var other = server.Client(await server.CreateTokenAsync("dot", "deployer"));
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "shop", "dev", Path.Combine(Buckets, "dev"));

        // Ten at once with one key: one deployment, and every answer names it.
        var race = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => SubmitAsync(deployer, environment, "release-42"))));
        Assert.All(race, a => Assert.Equal(HttpStatusCode.Accepted, a.Status));
        Assert.Single(race.Select(a => a.Id).Distinct());
        Assert.Single(race, a => a.Outcome == "202");

        var replay = await deployer.SendAsync(Submission(environment, "release-42"));
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal($"/api/deployments/{race[0].Id}", replay.Headers.Location?.OriginalString);

        // The same key with another request is refused, naming the key; another caller's same key is its own.
        using var changed = Submission(environment, "release-42");
        changed.Content = JsonContent.Create(new { infra = StandInTofu.Infra("something-else") });
        var mismatch = await deployer.SendAsync(changed);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, mismatch.StatusCode);
        Assert.Contains("Idempotency-Key 'release-42' was first used", await mismatch.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var others = await SubmitAsync(other, environment, "release-42");
        Assert.Equal(HttpStatusCode.Accepted, others.Status);
        Assert.NotEqual(race[0].Id, others.Id);

        using var malformed = Submission(environment, new string('k', 201));
        Assert.Equal(HttpStatusCode.BadRequest, (await deployer.SendAsync(malformed)).StatusCode);

        // A destroy takes a key too.
        await PlatformApi.WaitForAsync(admin, others.Id!.Value, "succeeded");
        using var destroy = new HttpRequestMessage(HttpMethod.Post, $"/api/environments/{environment}/destroy");
        destroy.Headers.Add("Idempotency-Key", "teardown");
        var destroyed = await deployer.SendAsync(destroy);
        using var destroyAgain = new HttpRequestMessage(HttpMethod.Post, $"/api/environments/{environment}/destroy");
        destroyAgain.Headers.Add("Idempotency-Key", "teardown");
        var again = await deployer.SendAsync(destroyAgain);
        Assert.Equal(HttpStatusCode.Accepted, destroyed.StatusCode);
        Assert.Equal(destroyed.Headers.Location, again.Headers.Location);
    }

    [Fact]
    public async Task Four_jobs_run_four_environments_at_once_and_never_one_environment_twice()
    {
        var server = await StartAsync(await postgres.CreateDatabaseAsync(), options =>
        {
            options.Jobs = 4;
            options.Tofu = StandInTofu.Write(_root.FullName, TimeSpan.FromSeconds(1));
        });
        using var admin = server.Client(server.AdminToken);
        var environments = await EnvironmentsAsync(admin, 8);

        var submitted = new List<long>();
        for (var i = 0; i < 16; i++)
        {
            submitted.Add((await SubmitAsync(admin, environments[i % environments.Count], $"job-{i}")).Id!.Value);
        }

        foreach (var id in submitted)
        {
            await PlatformApi.WaitForAsync(admin, id, "succeeded");
        }

        var applies = StandInTofu.Applies(Buckets);
        Assert.Equal(16, applies.Count);
        Assert.Equal(4, StandInTofu.PeakConcurrency(applies));
        Assert.All(applies.GroupBy(a => a.Environment), environment => Assert.Equal(1, StandInTofu.PeakConcurrency(environment)));
    }

    [Fact]
    public async Task Two_instances_on_one_database_with_one_killed_mid_burst_lose_and_double_nothing()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var key = new Dictionary<string, string> { ["INFRAR_CREDENTIALS_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) };
        string[] arguments = ["--postgres", connectionString, "--tofu", StandInTofu.Write(_root.FullName, TimeSpan.FromMilliseconds(300)), "--lease-seconds", "3", "--db-pool-size", "10", "--jobs", "2"];
        var dataA = Path.Combine(_root.FullName, "data-a");
        using var a = await ServiceProcess.ServeAsync(dataA, key, arguments);
        using var b = await ServiceProcess.ServeAsync(Path.Combine(_root.FullName, "data-b"), key, arguments);
        using var admin = PlatformApi.Client(b.BaseAddress, File.ReadAllText(Path.Combine(dataA, "admin-token")).Trim());
        var token = await PlatformApi.CreateTokenAsync(admin, "dee", "deployer");
        using var toA = PlatformApi.Client(a.BaseAddress, token);
        using var toB = PlatformApi.Client(b.BaseAddress, token);
        var environments = await EnvironmentsAsync(admin, 10);

        // 60 submissions, half to each instance; A is killed (SIGKILL, the service alone) once 20 are answered, and a
        // client whose instance is gone retries on the other with the same key, as a load balancer's client would.
        var answered = 0;
        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(async () =>
        {
            var answer = await SubmitWithFailoverAsync(i % 2 == 0 ? toA : toB, toB, environments[i % environments.Count], $"burst-{i}");
            if (Interlocked.Increment(ref answered) == 20)
            {
                a.KillServiceOnly();
            }

            return answer;
        })));
        using var restarted = await ServiceProcess.ServeAsync(dataA, key, arguments);

        await WaitUntilAllEndedAsync(connectionString);
        var stored = await DeploymentsAsync(connectionString);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"burst-{i}").Order(), stored.Select(d => d.Marker).Order());
        Assert.Equal(answers.Select(x => x.Id!.Value).Order(), stored.Select(d => d.Id));
        var applies = StandInTofu.Applies(Buckets).GroupBy(x => x.Marker).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(applies, x => Assert.Equal(1, x.Value));
        Assert.All(stored, d => Assert.True(
            d.Status == "succeeded" ? applies.ContainsKey(d.Marker) : d.Status == "failed",
            $"deployment {d.Id} ({d.Marker}) ended {d.Status}, applied {applies.GetValueOrDefault(d.Marker)} time(s)"));
        await using (var connection = await Database.Postgres(connectionString, 2).OpenAsync())
        {
            Assert.Equal(60, await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM audit_log WHERE actor = 'dee' AND action = @SubmitAction AND outcome = '202'", new { SubmitAction }));
            Assert.All(
                await connection.QueryAsync<string>("SELECT failure FROM deployments WHERE status = 'failed'"),
                failure => Assert.StartsWith("interrupted", failure, StringComparison.Ordinal));
        }

        // Nothing is left holding an environment: each takes a new deployment, on the restarted instance.
        using var again = PlatformApi.Client(restarted.BaseAddress, token);
        foreach (var environment in environments)
        {
            var next = await SubmitAsync(again, environment, $"after-{environment}");
            await PlatformApi.WaitForAsync(again, next.Id!.Value, "succeeded");
        }
    }

    [Fact]
    public async Task An_instance_with_another_credentials_key_refuses_to_start_on_a_shared_database()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var first = await StartAsync(connectionString, _ => { });
        using var admin = first.Client(first.AdminToken);
        var project = (await (await admin.PostAsJsonAsync("/api/projects", new { name = "shop" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/projects/{project}/environments", new
        {
            name = "prod",
            provider = "local",
            credentials = new Dictionary<string, string> { ["SHOP_API_KEY"] = "sk-live-0123456789" },
        })).StatusCode);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(connectionString, _ => { }));
        Assert.Contains("credentials key is not the key the database's credentials were sealed with", refused.Message, StringComparison.Ordinal);
        Assert.Contains("INFRAR_CREDENTIALS_KEY", refused.Message, StringComparison.Ordinal);

        var data = Path.Combine(_root.FullName, "data-shared-key");
        Directory.CreateDirectory(data);
        File.Copy(first.Options.CredentialsKeyFile, Path.Combine(data, "credentials.key"));
        var second = await PlatformServer.StartAsync(data, connectionString);
        _servers.Add(second);
        Assert.Equal(HttpStatusCode.OK, (await second.Client(first.AdminToken).GetAsync("/api/projects")).StatusCode);
    }

    [Fact]
    public async Task Status_events_carry_every_transition_to_every_client()
    {
        var server = await StartAsync(null, options => options.Tofu = StandInTofu.Write(_root.FullName, TimeSpan.FromMilliseconds(300)));
        using var admin = server.Client(server.AdminToken);
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "shop", "dev", Path.Combine(Buckets, "dev"));
        var id = (await SubmitAsync(admin, environment, "watched")).Id!.Value;

        var streams = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => admin.GetStringAsync($"/api/deployments/{id}/events")));

        var transitions = (await admin.GetFromJsonAsync<JsonElement[]>($"/api/deployments/{id}/transitions"))!.Select(t => t.GetProperty("to").GetString()!).ToList();
        Assert.Equal(["queued", "planning", "applying", "succeeded"], transitions);
        Assert.All(streams, stream => Assert.Equal(
            transitions,
            stream.Split("\n\n").Where(e => e.StartsWith("event: status\n", StringComparison.Ordinal)).Select(e => e.Split("data: ")[1]).ToList()));
    }

    /// <summary>Local environments env0, env1… of project shop, each with its folder under <see cref="Buckets"/>.</summary>
    private async Task<List<long>> EnvironmentsAsync(HttpClient admin, int count)
    {
        var environments = new List<long>();
        for (var i = 0; i < count; i++)
        {
            environments.Add(await PlatformApi.CreateEnvironmentAsync(admin, "shop", $"env{i}", Path.Combine(Buckets, $"env{i}")));
        }

        return environments;
    }

    private async Task<PlatformServer> StartAsync(string? connectionString, Action<PlatformOptions> configure)
    {
        var server = await PlatformServer.StartAsync(Path.Combine(_root.FullName, $"data-{_servers.Count}"), connectionString, configure);
        _servers.Add(server);
        return server;
    }

    private static HttpRequestMessage Submission(long environment, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/environments/{environment}/deployments")
        {
            Content = JsonContent.Create(new { infra = StandInTofu.Infra(key) }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    /// <summary>One submission with its key: the answer's status, the audit outcome it should have, and the deployment it names.</summary>
    internal static async Task<(string Key, HttpStatusCode Status, string Outcome, long? Id)> SubmitAsync(HttpClient client, long environment, string key)
    {
        using var request = Submission(environment, key);
        using var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        long? id = response.StatusCode == HttpStatusCode.Accepted ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64() : null;
        var outcome = response.Headers.Contains("Idempotent-Replayed") ? $"{status} replayed {response.Headers.Location}" : status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (key, response.StatusCode, outcome, id);
    }

    /// <summary>Submits to <paramref name="first"/>; while the answer is a lost connection or a 503, again to <paramref name="then"/>, with the same key.</summary>
    private static async Task<(string Key, HttpStatusCode Status, string Outcome, long? Id)> SubmitWithFailoverAsync(HttpClient first, HttpClient then, long environment, string key)
    {
        var client = first;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                var answer = await SubmitAsync(client, environment, key);
                if (answer.Status == HttpStatusCode.Accepted)
                {
                    return answer;
                }

                Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
            }
            catch (HttpRequestException)
            {
                // The instance is gone.
            }

            client = then;
            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"{key} was never accepted");
    }

    private static async Task<List<(string Key, HttpStatusCode Status, string Outcome, long? Id)>> SubmitUntilAcceptedAsync(HttpClient client, long environment, string key)
    {
        var answers = new List<(string, HttpStatusCode, string, long?)>();
        while (true)
        {
            var answer = await SubmitAsync(client, environment, key);
            answers.Add(answer);
            if (answer.Status != HttpStatusCode.ServiceUnavailable)
            {
                Assert.Equal(HttpStatusCode.Accepted, answer.Status);
                return answers;
            }

            await Task.Delay(200);
        }
    }

    private static async Task<List<HttpStatusCode>> ReadUntilCancelledAsync(HttpClient client, long environment, CancellationToken stop)
    {
        var statuses = new List<HttpStatusCode>();
        while (!stop.IsCancellationRequested)
        {
            using var response = await client.GetAsync($"/api/environments/{environment}/deployments", CancellationToken.None);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    private static async Task<List<string>> AuditOutcomesAsync(HttpClient admin, string actor, string action, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var rows = (await admin.GetFromJsonAsync<JsonElement[]>("/api/audit?limit=1000"))!
                .Where(r => r.GetProperty("actor").GetString() == actor && r.GetProperty("action").GetString() == action)
                .Select(r => r.GetProperty("outcome").GetString()!)
                .Order()
                .ToList();
            if (rows.Count >= expected || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(200);
        }
    }

    private static async Task<List<(long Id, string Status, string Marker)>> DeploymentsAsync(string connectionString, bool sqlite = false)
    {
        await using var connection = await (sqlite ? Database.Sqlite(connectionString) : Database.Postgres(connectionString, 2)).OpenAsync();
        return [.. (await connection.QueryAsync<(long Id, string Status, string Infra)>("SELECT id, status, infra FROM deployments ORDER BY id"))
            .Select(d => (d.Id, d.Status, StandInTofu.MarkerOf(d.Infra)))];
    }

    internal static async Task WaitUntilAllEndedAsync(string connectionString)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        await using var connection = await Database.Postgres(connectionString, 2).OpenAsync();
        while (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM deployments WHERE status NOT IN ('succeeded', 'failed', 'cancelled', 'destroyed')") > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "deployments still running after 3 minutes");
            await Task.Delay(200);
        }
    }
}
