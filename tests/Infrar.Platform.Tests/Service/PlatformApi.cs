using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>The API steps the service tests share: a client with a token, a local environment, a deployment of the sample, and waiting on it.</summary>
public static class PlatformApi
{
    public static HttpClient Client(Uri service, string? token)
    {
        var client = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromMinutes(2) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Makes a token with a role, as an admin does.</summary>
    public static async Task<string> CreateTokenAsync(HttpClient admin, string name, string role)
    {
        var response = await admin.PostAsJsonAsync("/api/tokens", new { name, role });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    /// <summary>Makes a local environment (and its project, unless it exists) whose buckets go under <paramref name="localRoot"/>.</summary>
    public static async Task<long> CreateEnvironmentAsync(HttpClient admin, string project, string name, string localRoot, bool isProtected = false)
    {
        var created = await admin.PostAsJsonAsync("/api/projects", new { name = project });
        var projectId = created.StatusCode == HttpStatusCode.Conflict
            ? (await admin.GetFromJsonAsync<JsonElement>("/api/projects")).EnumerateArray().Single(p => p.GetProperty("name").GetString() == project).GetProperty("id").GetInt64()
            : (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var environment = await admin.PostAsJsonAsync($"/api/projects/{projectId}/environments", new
        {
            name,
            provider = "local",
            @protected = isProtected,
            variables = new Dictionary<string, string> { ["local_root"] = localRoot },
        });
        Assert.Equal(HttpStatusCode.Created, environment.StatusCode);
        return (await environment.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>Starts a deployment of the sample's local infrastructure; the answer is the new deployment.</summary>
    public static async Task<JsonElement> DeployAsync(HttpClient client, long environment)
    {
        var response = await client.PostAsJsonAsync($"/api/environments/{environment}/deployments", new
        {
            infra = SampleInfrastructure.Files(),
            manifest = SampleInfrastructure.Manifest(),
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits until the deployment is in <paramref name="status"/>; fails with its log if it ends elsewhere.</summary>
    public static async Task<JsonElement> WaitForAsync(HttpClient client, long id, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var deployment = await client.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}");
            var current = deployment.GetProperty("status").GetString();
            if (current == status)
            {
                return deployment;
            }

            if (current is "failed" or "cancelled" or "succeeded" or "destroyed" || DateTime.UtcNow > deadline)
            {
                var log = await client.GetStringAsync($"/api/deployments/{id}/log");
                throw new Xunit.Sdk.XunitException($"Deployment {id} is {current}, not {status}: {deployment}\n{log}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The audit log once a row matching <paramref name="until"/> is in it: the rows of requests that changed nothing
    /// are written in batches, a fraction of a second after their answer.
    /// </summary>
    public static async Task<JsonElement[]> AuditAsync(HttpClient admin, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var rows = (await admin.GetFromJsonAsync<JsonElement[]>("/api/audit?limit=1000"))!;
            if (rows.Any(until) || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the deployment's log shows <paramref name="text"/>.</summary>
    public static async Task WaitForLogAsync(HttpClient client, long deployment, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!(await client.GetStringAsync($"/api/deployments/{deployment}/log")).Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Deployment {deployment}'s log never showed '{text}'.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until a folder holds no folder: working copies are deleted just after their job ends.</summary>
    public static async Task AssertEmptiedAsync(string folder)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Directory.Exists(folder) && Directory.GetDirectories(folder).Length > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Empty(Directory.Exists(folder) ? Directory.GetDirectories(folder) : []);
    }
}
