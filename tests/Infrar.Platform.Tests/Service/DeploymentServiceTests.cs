using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Infrar.Platform.Data;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// The deployment service end to end through its HTTP API, with the real terraform binary deploying the sample's
/// local infrastructure offline. The same suite runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class DeploymentServiceTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _servers = [];
    private DirectoryInfo _root = null!;

    protected abstract Task<string?> CreateDatabaseAsync();

    private string? Postgres { get; set; }

    private string LocalRoot => Path.Combine(_root.FullName, "buckets");

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("infrar-platform-");
        Postgres = await CreateDatabaseAsync();
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
    public async Task A_sensitive_output_is_recorded_by_name_and_its_value_is_never_stored_returned_or_logged_plan_included()
    {
        var server = await StartAsync();
        using var admin = server.Client(server.AdminToken);
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photos", "dev", LocalRoot);
        var infra = SampleInfrastructure.Files();
        infra["secret.tf"] = "output \"api_token\" {\n  value     = \"s3cr3t-value\"\n  sensitive = true\n}\n";

        var response = await admin.PostAsJsonAsync($"/api/environments/{environment}/deployments", new { infra, manifest = SampleInfrastructure.Manifest() });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var done = await PlatformApi.WaitForAsync(admin, id, "succeeded");

        var outputs = done.GetProperty("outputs");
        Assert.Equal(["api_token"], outputs.GetProperty("sensitive").EnumerateArray().Select(n => n.GetString()));
        Assert.False(outputs.GetProperty("values").TryGetProperty("api_token", out _));
        Assert.DoesNotContain("s3cr3t-value", await admin.GetStringAsync($"/api/deployments/{id}"), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", await admin.GetStringAsync($"/api/deployments/{id}/log"), StringComparison.Ordinal);
        var plan = await admin.GetStringAsync($"/api/deployments/{id}/plan");
        Assert.Contains("api_token", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", plan, StringComparison.Ordinal);
        var database = string.IsNullOrEmpty(Postgres) ? Database.Sqlite(server.Options.DatabaseFile) : Database.Postgres(Postgres);
        await using var connection = await database.OpenAsync();
        var stored = await connection.ExecuteScalarAsync<string>("SELECT outputs FROM deployments WHERE id = @id", new { id });
        Assert.Contains("api_token", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_local_deployment_goes_from_queued_to_succeeded_and_a_destroy_removes_it_from_state()
    {
        var server = await StartAsync();
        using var admin = server.Client(server.AdminToken);
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photos", "dev", LocalRoot);

        var deployment = await PlatformApi.DeployAsync(admin, environment);
        Assert.Equal("queued", deployment.GetProperty("status").GetString());
        var id = deployment.GetProperty("id").GetInt64();
        var done = await PlatformApi.WaitForAsync(admin, id, "succeeded");

        Assert.Equal(SampleInfrastructure.Buckets.Count, done.GetProperty("plan").GetProperty("adds").GetInt32());
        foreach (var bucket in SampleInfrastructure.Buckets)
        {
            Assert.True(Directory.Exists(Path.Combine(LocalRoot, bucket)), $"applying created the folder of bucket {bucket}");
        }

        Assert.Equal(["queued", "planning", "applying", "succeeded"], await StatesAsync(admin, id));

        // The outputs are recorded with the deployment: each bucket's physical name (here its folder), for migrations.
        var outputs = done.GetProperty("outputs");
        foreach (var bucket in SampleInfrastructure.Buckets)
        {
            Assert.Equal(Path.Combine(LocalRoot, bucket), outputs.GetProperty("values").GetProperty($"bucket_{bucket}").GetString());
        }

        Assert.Empty(outputs.GetProperty("sensitive").EnumerateArray());
        var log = await admin.GetStringAsync($"/api/deployments/{id}/log");
        Assert.Contains("Apply complete!", log, StringComparison.Ordinal);
        var plan = JsonDocument.Parse(await admin.GetStringAsync($"/api/deployments/{id}/plan")).RootElement;
        Assert.Equal(SampleInfrastructure.Buckets.Count, plan.GetProperty("resource_changes").GetArrayLength());

        // The event stream replays the log and ends with the final state.
        var events = await admin.GetStringAsync($"/api/deployments/{id}/events");
        Assert.Contains("event: log", events, StringComparison.Ordinal);
        Assert.EndsWith("event: end\ndata: succeeded\n\n", events, StringComparison.Ordinal);

        var destroy = await admin.PostAsync($"/api/environments/{environment}/destroy", null);
        Assert.Equal(HttpStatusCode.Accepted, destroy.StatusCode);
        var destroyId = (await destroy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var destroyed = await PlatformApi.WaitForAsync(admin, destroyId, "destroyed");
        Assert.Equal(SampleInfrastructure.Buckets.Count, destroyed.GetProperty("plan").GetProperty("destroys").GetInt32());
        Assert.Equal(["destroy_queued", "planning", "destroying", "destroyed"], await StatesAsync(admin, destroyId));

        // The environment's state lives in the database between runs, sealed with the credentials key like the saved
        // plans (state holds the infrastructure's secrets); the working copies are gone.
        var database = string.IsNullOrEmpty(Postgres) ? Database.Sqlite(server.Options.DatabaseFile) : Database.Postgres(Postgres);
        await using var connection = await database.OpenAsync();
        var stored = await connection.ExecuteScalarAsync<string>("SELECT state FROM environment_state WHERE environment_id = @environment", new { environment });
        Assert.StartsWith("v1:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("serial", stored, StringComparison.Ordinal);
        Assert.StartsWith("v1:", await connection.ExecuteScalarAsync<string>("SELECT plan_file FROM deployments WHERE id = @destroyId", new { destroyId }), StringComparison.Ordinal);
        var kept = await server.Services.GetRequiredService<PlatformStore>().GetEnvironmentStateAsync(environment, CancellationToken.None);
        var state = JsonDocument.Parse(kept!).RootElement;
        Assert.Equal(0, state.GetProperty("resources").GetArrayLength());
        Assert.True(state.GetProperty("serial").GetInt64() >= 2, $"the destroy's state was kept: {state}");
        await PlatformApi.AssertEmptiedAsync(server.Options.WorkRoot);
    }

    [Fact]
    public async Task A_protected_environment_applies_only_after_another_user_approves()
    {
        var server = await StartAsync();
        using var admin = server.Client(server.AdminToken);
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photos", "prod", LocalRoot, isProtected: true);
        using var deployer = server.Client(await server.CreateTokenAsync("dana", "approver"));
        using var approver = server.Client(await server.CreateTokenAsync("ari", "approver"));

        var id = (await PlatformApi.DeployAsync(deployer, environment)).GetProperty("id").GetInt64();
        var planned = await PlatformApi.WaitForAsync(admin, id, "awaiting_approval");
        Assert.Equal(SampleInfrastructure.Buckets.Count, planned.GetProperty("plan").GetProperty("adds").GetInt32());
        Assert.All(SampleInfrastructure.Buckets, bucket => Assert.False(Directory.Exists(Path.Combine(LocalRoot, bucket)), "nothing is applied before approval"));

        var own = await deployer.PostAsync($"/api/deployments/{id}/approve", null);
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.Contains("another user must approve", await own.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var approved = await approver.PostAsync($"/api/deployments/{id}/approve", null);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var done = await PlatformApi.WaitForAsync(admin, id, "succeeded");
        Assert.Equal("ari", done.GetProperty("approvedBy").GetString());
        Assert.Equal(["queued", "planning", "awaiting_approval", "applying", "succeeded"], await StatesAsync(admin, id));

        var again = await approver.PostAsync($"/api/deployments/{id}/approve", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("is succeeded and cannot become applying", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deployments_to_one_environment_run_one_at_a_time_across_two_instances()
    {
        var first = await StartAsync();
        var second = await StartAsync(options => options.DataDirectory = first.Options.DataDirectory);
        using var admin = first.Client(first.AdminToken);
        using var approver = second.Client(await first.CreateTokenAsync("ari", "approver"));
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photos", "prod", LocalRoot, isProtected: true);

        var a = (await PlatformApi.DeployAsync(admin, environment)).GetProperty("id").GetInt64();
        var b = (await PlatformApi.DeployAsync(admin, environment)).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(admin, a, "awaiting_approval");

        // a holds the environment while it waits; b, on either instance, stays queued.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal("queued", await StatusAsync(admin, b));

        await approver.PostAsync($"/api/deployments/{a}/approve", null);
        await PlatformApi.WaitForAsync(admin, a, "succeeded");
        await PlatformApi.WaitForAsync(admin, b, "awaiting_approval");
        await approver.PostAsync($"/api/deployments/{b}/approve", null);
        await PlatformApi.WaitForAsync(admin, b, "succeeded");

        var aEnded = (await TransitionsAsync(admin, a)).Last().GetProperty("at").GetDateTimeOffset();
        var bPlanned = (await TransitionsAsync(admin, b)).First(t => t.GetProperty("to").GetString() == "planning").GetProperty("at").GetDateTimeOffset();
        Assert.True(bPlanned >= aEnded, $"b began planning at {bPlanned:O}, before a ended at {aEnded:O}");
    }

    [Fact]
    public async Task Callers_get_401_403_404_400_and_409_with_problem_details_naming_the_problem()
    {
        var server = await StartAsync();
        using var anonymous = server.Client(null);
        using var admin = server.Client(server.AdminToken);
        using var viewer = server.Client(await server.CreateTokenAsync("vic", "viewer"));
        using var deployer = server.Client(await server.CreateTokenAsync("dee", "deployer"));
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photos", "dev", LocalRoot);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Client("infrar_not-a-token").GetAsync("/api/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/projects")).StatusCode);

        var viewerDeploys = await viewer.PostAsJsonAsync($"/api/environments/{environment}/deployments", new { infra = SampleInfrastructure.Files() });
        Assert.Equal(HttpStatusCode.Forbidden, viewerDeploys.StatusCode);
        Assert.Contains("needs the deployer role", await viewerDeploys.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await deployer.PostAsJsonAsync("/api/projects", new { name = "other" })).StatusCode);

        var missing = await viewer.GetAsync("/api/deployments/999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Contains("There is no deployment 999999", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var project = (await (await admin.GetAsync("/api/projects")).Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetInt64();
        await AssertBadRequestAsync(admin.PostAsJsonAsync($"/api/projects/{project}/environments", new { name = "Prod!", provider = "aws" }), "name", "state.bucket");
        await AssertBadRequestAsync(admin.PostAsJsonAsync($"/api/projects/{project}/environments", new { name = "x", provider = "heroku" }), "provider");
        await AssertBadRequestAsync(
            admin.PostAsJsonAsync($"/api/projects/{project}/environments", new { name = "x", provider = "local", credentials = new Dictionary<string, string> { ["lower"] = "value" } }),
            "credentials.lower");
        await AssertBadRequestAsync(
            admin.PostAsJsonAsync($"/api/projects/{project}/environments", new
            {
                name = "x",
                provider = "local",
                credentials = new Dictionary<string, string> { ["TF_VAR_secret"] = "value", ["TF_CLI_CONFIG_FILE"] = "/tmp/x", ["SHORT"] = "ab" },
            }),
            "credentials.TF_VAR_secret", "credentials.TF_CLI_CONFIG_FILE", "credentials.SHORT");
        await AssertBadRequestAsync(deployer.PostAsJsonAsync($"/api/environments/{environment}/deployments", new { infra = new Dictionary<string, string>() }), "infra");
        await AssertBadRequestAsync(
            deployer.PostAsJsonAsync($"/api/environments/{environment}/deployments", new { infra = new Dictionary<string, string> { ["../escape.tf"] = "", ["main.tf"] = "" } }),
            "infra.../escape.tf");
        await AssertBadRequestAsync(
            deployer.PostAsJsonAsync($"/api/environments/{environment}/deployments", new { infra = SampleInfrastructure.Files(), manifest = new { schemaVersion = 1, provider = 5 } }),
            "manifest.provider", "manifest.service", "manifest.project");
        await AssertBadRequestAsync(
            deployer.PostAsJsonAsync($"/api/environments/{environment}/deployments", new { infra = SampleInfrastructure.Files(), manifest = new { provider = "aws" } }),
            "manifest.provider");
        var malformed = await deployer.PostAsync($"/api/environments/{environment}/deployments", new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/projects", new { name = "photos" })).StatusCode);

        // A revoked token stops working at once.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/tokens/vic")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.GetAsync("/api/projects")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/tokens/vic")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync("/api/tokens/admin")).StatusCode);
        var id = (await PlatformApi.DeployAsync(deployer, environment)).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(admin, id, "succeeded");
        var cancel = await deployer.PostAsync($"/api/deployments/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        Assert.Contains("cannot become cancelled", await cancel.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_change_is_audited_and_the_audit_log_cannot_be_rewritten()
    {
        var server = await StartAsync();
        using var admin = server.Client(server.AdminToken);
        using var viewer = server.Client(await server.CreateTokenAsync("vic", "viewer"));
        await admin.PostAsJsonAsync("/api/projects", new { name = "audited" });
        await viewer.PostAsJsonAsync("/api/projects", new { name = "sneaky" });

        var audit = await PlatformApi.AuditAsync(admin, r => r.GetProperty("actor").GetString() == "vic");
        var rows = audit.Select(r => (Actor: r.GetProperty("actor").GetString(), Action: r.GetProperty("action").GetString(), Outcome: r.GetProperty("outcome").GetString())).ToList();
        Assert.Contains(("admin", "POST /api/projects", "201"), rows);
        Assert.Contains(("vic", "POST /api/projects", "403"), rows);
        Assert.Contains(("admin", "POST /api/tokens", "201"), rows);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/audit")).StatusCode);

        var database = string.IsNullOrEmpty(Postgres) ? Database.Sqlite(server.Options.DatabaseFile) : Database.Postgres(Postgres);
        await using var connection = await database.OpenAsync();
        var rewrite = await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => connection.ExecuteAsync("UPDATE audit_log SET actor = 'nobody'"));
        Assert.Contains("append-only", rewrite.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => connection.ExecuteAsync("DELETE FROM audit_log"));
    }

    [Fact]
    public async Task Credentials_are_stored_encrypted_never_returned_and_reach_tofu_only_as_environment_variables()
    {
        const string secret = "s3cr3t-value-that-must-not-leak";
        var server = await StartAsync(options => options.Tofu = TofuThatShowsItsEnvironment());
        using var admin = server.Client(server.AdminToken);
        var project = (await (await admin.PostAsJsonAsync("/api/projects", new { name = "secrets" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var created = await admin.PostAsJsonAsync($"/api/projects/{project}/environments", new
        {
            name = "dev",
            provider = "local",
            variables = new Dictionary<string, string> { ["local_root"] = LocalRoot },
            credentials = new Dictionary<string, string> { ["INFRAR_TEST_SECRET"] = secret },
        });
        var body = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        Assert.Contains("INFRAR_TEST_SECRET", body, StringComparison.Ordinal);
        var environment = JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();

        // The process sees the credential (it writes it where the test can read it) and prints it, as is and in base64;
        // the log shows it masked both times.
        var id = (await PlatformApi.DeployAsync(admin, environment)).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(admin, id, "succeeded");

        Assert.Equal(secret, File.ReadAllText(Path.Combine(LocalRoot, "seen-by-tofu.txt")).Trim());
        var log = await admin.GetStringAsync($"/api/deployments/{id}/log");
        Assert.Contains("the secret is ***", log, StringComparison.Ordinal);
        Assert.Contains("in base64: ***", log, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await admin.GetStringAsync($"/api/environments/{environment}"), StringComparison.Ordinal);

        var database = string.IsNullOrEmpty(Postgres) ? Database.Sqlite(server.Options.DatabaseFile) : Database.Postgres(Postgres);
        await using var connection = await database.OpenAsync();
        var stored = await connection.ExecuteScalarAsync<string>("SELECT credentials FROM environments WHERE id = @environment", new { environment });
        Assert.StartsWith("v1:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        if (string.IsNullOrEmpty(Postgres))
        {
            Assert.DoesNotContain(secret, File.ReadAllText(server.Options.DatabaseFile), StringComparison.Ordinal);
        }
    }

    /// <summary>terraform, except that a plan first shows the credential it was given: in a file, and in its output.</summary>
    private string TofuThatShowsItsEnvironment()
    {
        var path = Path.Combine(_root.FullName, "tofu-showing-env");
        File.WriteAllText(path, """
            #!/bin/sh
            if [ "$1" = plan ]; then
              printenv INFRAR_TEST_SECRET > "$TF_VAR_local_root/seen-by-tofu.txt"
              echo "the secret is $INFRAR_TEST_SECRET"
              echo "in base64: $(printf %s "$INFRAR_TEST_SECRET" | base64)"
            fi
            exec terraform "$@"

            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    [Fact]
    public async Task The_service_publishes_an_OpenAPI_document_of_its_api()
    {
        var server = await StartAsync();
        using var anonymous = server.Client(null);
        var document = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/environments/{id}/deployments", paths);
        Assert.Contains("/api/deployments/{id}/approve", paths);
        Assert.Contains("/api/deployments/{id}/waive", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/ui", StringComparison.Ordinal));
        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.True(document.GetProperty("security")[0].TryGetProperty("Bearer", out _));
    }

    private async Task<PlatformServer> StartAsync(Action<PlatformOptions>? configure = null)
    {
        var server = await PlatformServer.StartAsync(Path.Combine(_root.FullName, "data"), Postgres, configure);
        _servers.Add(server);
        return server;
    }

    private static async Task<string?> StatusAsync(HttpClient client, long id) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}")).GetProperty("status").GetString();

    private static async Task<List<JsonElement>> TransitionsAsync(HttpClient client, long id) =>
        [.. (await client.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}/transitions")).EnumerateArray()];

    private static async Task<string[]> StatesAsync(HttpClient client, long id) =>
        [.. (await TransitionsAsync(client, id)).Select(t => t.GetProperty("to").GetString()!)];

    private static async Task AssertBadRequestAsync(Task<HttpResponseMessage> request, params string[] fields)
    {
        using var response = await request;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in fields)
        {
            Assert.True(errors.TryGetProperty(field, out _), $"the 400 names {field}: {errors}");
        }
    }
}

public sealed class SqliteDeploymentServiceTests : DeploymentServiceTests
{
    protected override Task<string?> CreateDatabaseAsync() => Task.FromResult<string?>(null);
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresDeploymentServiceTests(PostgresServer postgres) : DeploymentServiceTests
{
    protected override async Task<string?> CreateDatabaseAsync() => await postgres.CreateDatabaseAsync();
}
