using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Infrar.Testing;

namespace Infrar.LoadBench;

/// <summary>
/// One or two <c>infrar serve</c> processes on one database, as an operator runs them: on SQLite they share the data
/// folder (so its database file); on PostgreSQL each has its own folder, and they share the connection string and the
/// credentials key. Every run goes through the stand-in for OpenTofu, inside the sandbox.
/// </summary>
internal sealed class Cluster : IAsyncDisposable
{
    private readonly List<ServiceProcess> _instances;

    private Cluster(List<ServiceProcess> instances, string adminToken, string buckets)
    {
        _instances = instances;
        AdminToken = adminToken;
        Buckets = buckets;
    }

    public string AdminToken { get; }

    /// <summary>Where each environment's folder is: the stand-in records its applies there.</summary>
    public string Buckets { get; }

    public IReadOnlyList<Uri> Addresses => [.. _instances.Select(i => i.BaseAddress)];

    public static async Task<Cluster> StartAsync(string root, string? postgres, int instances, int jobs, TimeSpan applyTakes)
    {
        Directory.CreateDirectory(root);
        var tofu = StandInTofu.Write(root, applyTakes);
        var environment = new Dictionary<string, string> { ["INFRAR_CREDENTIALS_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        var started = new List<ServiceProcess>();
        for (var i = 0; i < instances; i++)
        {
            var data = Path.Combine(root, postgres is null ? "data" : $"data-{i}");
            string[] arguments = ["--tofu", tofu, "--jobs", jobs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--log-level", "warning", "--work-root", Path.Combine(root, "work")];
            started.Add(await ServiceProcess.ServeAsync(data, environment, postgres is null ? arguments : [.. arguments, "--postgres", postgres]));
        }

        var token = (await File.ReadAllTextAsync(Path.Combine(root, postgres is null ? "data" : "data-0", "admin-token"))).Trim();
        return new Cluster(started, token, Path.Combine(root, "buckets"));
    }

    public HttpClient Client(int instance, string token)
    {
        var client = new HttpClient { BaseAddress = Addresses[instance % Addresses.Count], Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A token with a role, made by the admin.</summary>
    public async Task<string> TokenAsync(string name, string role)
    {
        using var admin = Client(0, AdminToken);
        var response = await admin.PostAsJsonAsync("/api/tokens", new { name, role });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    /// <summary>A project with <paramref name="count"/> local environments, each with its own folder.</summary>
    public async Task<List<long>> EnvironmentsAsync(int count)
    {
        using var admin = Client(0, AdminToken);
        var project = (await (await admin.PostAsJsonAsync("/api/projects", new { name = "shop" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var environments = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var response = await admin.PostAsJsonAsync($"/api/projects/{project}/environments", new
            {
                name = $"env{i}",
                provider = "local",
                variables = new Dictionary<string, string> { ["local_root"] = Path.Combine(Buckets, $"env{i}") },
            });
            response.EnsureSuccessStatusCode();
            environments.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        return environments;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            instance.Dispose();
        }

        await Task.CompletedTask;
    }
}
