using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Infrar.Platform.Tests.Service;
using Xunit;

namespace Infrar.Platform.Tests.Migrations;

/// <summary>The API steps the migration tests share: environments of any provider, deployments that record outputs, and migrations.</summary>
public static class MigrationClient
{
    public static async Task<long> ProjectAsync(HttpClient admin, string name)
    {
        var created = await admin.PostAsJsonAsync("/api/projects", new { name });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public static async Task<long> EnvironmentAsync(
        HttpClient admin, long project, string name, string provider, IReadOnlyDictionary<string, string> credentials, string? localRoot = null, bool isProtected = false)
    {
        var response = await admin.PostAsJsonAsync($"/api/projects/{project}/environments", new
        {
            name,
            provider,
            region = provider == "local" ? null : provider switch { "aws" => "us-east-1", "azure" => "westus", _ => "us-central1" },
            @protected = isProtected,
            variables = localRoot is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["local_root"] = localRoot },
            state = MigrationData.State(provider),
            credentials,
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>Deploys an environment with infra that records the buckets' outputs; waits until it succeeded.</summary>
    public static async Task<long> DeployAsync(HttpClient client, long environment, Dictionary<string, string> infra, JsonElement manifest)
    {
        var response = await client.PostAsJsonAsync($"/api/environments/{environment}/deployments", new { infra, manifest });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(client, id, "succeeded");
        return id;
    }

    public static async Task<JsonElement> PlanAsync(HttpClient client, object request)
    {
        var response = await client.PostAsJsonAsync("/api/migrations", request);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task<JsonElement> PostAsync(HttpClient client, long migration, string action, object? body = null)
    {
        var response = await client.PostAsJsonAsync($"/api/migrations/{migration}/{action}", body ?? new { });
        Assert.True(response.IsSuccessStatusCode, $"{action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits until the migration is in <paramref name="status"/>; fails with its log if it rests anywhere else.</summary>
    public static async Task<JsonElement> WaitForAsync(HttpClient client, long id, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var migration = await client.GetFromJsonAsync<JsonElement>($"/api/migrations/{id}");
            var current = migration.GetProperty("status").GetString();
            if (current == status)
            {
                return migration;
            }

            if (current is "failed" or "cancelled" or "rolled_back" or "cleaned_up" or "ready" or "planned" or "cut_over" or "awaiting_approval" || DateTime.UtcNow > deadline)
            {
                var log = await client.GetStringAsync($"/api/migrations/{id}/log");
                throw new Xunit.Sdk.XunitException($"Migration {id} is {current}, not {status}: {migration}\n{log}");
            }

            await Task.Delay(100);
        }
    }
}
