using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// Guardrails in the running service: a plan that breaks one stops in policy_denied with each violation shown in the
/// API, the CLI and the dashboard; only an admin's waiver, with its reason audited, lets it on.
/// </summary>
public sealed class GuardrailServiceTests : IAsyncLifetime
{
    private DirectoryInfo _root = null!;
    private PlatformServer _server = null!;

    private string Buckets => Path.Combine(_root.FullName, "buckets");

    public Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("infrar-guardrails-");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _root.Delete(recursive: true);
    }

    [Fact]
    public async Task A_project_rule_stops_a_real_plan_and_an_admin_s_audited_waiver_lets_it_apply()
    {
        _server = await PlatformServer.StartAsync(Path.Combine(_root.FullName, "data"), postgres: null);
        using var admin = _server.Client(_server.AdminToken);
        using var deployer = _server.Client(await _server.CreateTokenAsync("dee", "deployer"));
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photoservice", "dev", Buckets);
        var project = (await admin.GetFromJsonAsync<JsonElement>($"/api/environments/{environment}")).GetProperty("projectId").GetInt64();
        var put = await admin.PutAsJsonAsync($"/api/projects/{project}/policy", JsonDocument.Parse("""
            {
              "rules": [{
                "id": "no-thumbnails",
                "description": "Thumbnails are made on the fly, not stored",
                "resource": "terraform_data",
                "deny": [{ "path": "input", "matches": "/thumbnails$" }]
              }]
            }
            """).RootElement);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var id = (await PlatformApi.DeployAsync(deployer, environment)).GetProperty("id").GetInt64();
        var denied = await PlatformApi.WaitForAsync(admin, id, "policy_denied");
        var violation = Assert.Single(denied.GetProperty("violations").EnumerateArray());
        Assert.Equal("no-thumbnails", violation.GetProperty("rule").GetString());
        Assert.Equal("project policy", violation.GetProperty("source").GetString());
        Assert.Equal("terraform_data.bucket_thumbnails", violation.GetProperty("resource").GetString());
        Assert.False(Directory.Exists(Path.Combine(Buckets, "thumbnails")), "nothing is applied while denied");

        // The CLI shows the violation and exits 7.
        var status = await ServiceProcess.RunAsync(["status", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--server", _server.BaseAddress.ToString(), "--token", _server.AdminToken]);
        Assert.Equal(7, status.ExitCode);
        Assert.Contains("terraform_data.bucket_thumbnails: Thumbnails are made on the fly, not stored: input matches /thumbnails$ (rule no-thumbnails, project policy)", status.Output, StringComparison.Ordinal);

        // The dashboard lists it, with the waive form for an admin only.
        var adminPage = await PageAsync(_server.AdminToken, $"/ui/deployments/{id}");
        Assert.Contains("<ul id=\"violations\">", adminPage, StringComparison.Ordinal);
        Assert.Contains("terraform_data.bucket_thumbnails", adminPage, StringComparison.Ordinal);
        Assert.Contains("id=\"waive\"", adminPage, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"waive\"", await PageAsync(await _server.CreateTokenAsync("vic", "viewer"), $"/ui/deployments/{id}"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Forbidden, (await deployer.PostAsJsonAsync($"/api/deployments/{id}/waive", new { reason = "mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync($"/api/deployments/{id}/waive", new { reason = "" })).StatusCode);
        var waived = await admin.PostAsJsonAsync($"/api/deployments/{id}/waive", new { reason = "the thumbnail service is not ready yet" });
        Assert.Equal(HttpStatusCode.OK, waived.StatusCode);

        var done = await PlatformApi.WaitForAsync(admin, id, "succeeded");
        Assert.Equal("admin", done.GetProperty("waivedBy").GetString());
        Assert.True(Directory.Exists(Path.Combine(Buckets, "thumbnails")));
        var audit = (await admin.GetFromJsonAsync<JsonElement[]>("/api/audit"))!;
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "POST /api/deployments/{id:long}/waive" && a.GetProperty("outcome").GetString() == "200 waived: the thumbnail service is not ready yet");
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "PUT /api/projects/{id:long}/policy" && a.GetProperty("outcome").GetString() == "200");
    }

    [Fact]
    public async Task Built_in_rules_and_the_cost_cap_stop_a_cloud_plan()
    {
        // No aws provider can be installed here: a stand-in for OpenTofu prints the plan a public bucket with a
        // wildcard grant makes, in the shape `tofu show -json` prints it.
        _server = await PlatformServer.StartAsync(Path.Combine(_root.FullName, "data"), postgres: null, options => options.Tofu = CloudPlanStandIn());
        using var admin = _server.Client(_server.AdminToken);
        var project = (await (await admin.PostAsJsonAsync("/api/projects", new { name = "shop" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var created = await admin.PostAsJsonAsync($"/api/projects/{project}/environments", new
        {
            name = "prod",
            provider = "aws",
            state = new Dictionary<string, string> { ["bucket"] = "shop-state" },
            variables = new Dictionary<string, string> { ["name_suffix"] = "x1", ["image"] = "shop:1" },
        });
        var environment = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/environments/{environment}/policy", new { maxMonthlyCost = 1 })).StatusCode);

        var response = await admin.PostAsJsonAsync($"/api/environments/{environment}/deployments", new
        {
            infra = AwsInfrastructure(),
            manifest = JsonDocument.Parse(CostFiles.Shop).RootElement,
        });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var denied = await PlatformApi.WaitForAsync(admin, id, "policy_denied");
        var violations = denied.GetProperty("violations").EnumerateArray().Select(v => (v.GetProperty("rule").GetString(), v.GetProperty("resource").GetString(), v.GetProperty("message").GetString())).ToList();
        Assert.Equal(
            [
                ("aws-s3-public-access-block", "aws_s3_bucket_public_access_block.photos"),
                ("aws-s3-public-access-block", "aws_s3_bucket_public_access_block.photos"),
                ("aws-iam-wildcard", "aws_iam_role_policy.app_storage"),
                ("max-monthly-cost", "(manifest)"),
            ],
            violations.Select(v => (v.Item1, v.Item2)));
        Assert.EndsWith("block_public_policy is not true", violations[0].Item3, StringComparison.Ordinal);
        Assert.EndsWith("restrict_public_buckets is not true", violations[1].Item3, StringComparison.Ordinal);
        var log = await admin.GetStringAsync($"/api/deployments/{id}/log");
        Assert.Contains("infrar: guardrail max-monthly-cost (environment policy) refuses (manifest)", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Apply complete", log, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/deployments/{id}/cancel", null)).StatusCode);
        Assert.Equal("cancelled", (await admin.GetFromJsonAsync<JsonElement>($"/api/deployments/{id}")).GetProperty("status").GetString());
    }

    private async Task<string> PageAsync(string token, string path)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _server.BaseAddress };
        using var login = new HttpRequestMessage(HttpMethod.Post, "/ui/login") { Content = new FormUrlEncodedContent([new("token", token)]) };
        login.Headers.Add("Origin", _server.BaseAddress.GetLeftPart(UriPartial.Authority));
        var session = (await browser.SendAsync(login)).Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        using var page = new HttpRequestMessage(HttpMethod.Get, path);
        page.Headers.Add("Cookie", session);
        return await (await browser.SendAsync(page)).Content.ReadAsStringAsync();
    }

    /// <summary>The aws infrastructure the build writes for the test sources, from the build tests' snapshot.</summary>
    private static Dictionary<string, string> AwsInfrastructure() =>
        File.ReadAllText(Path.Combine(RepositoryRoot.Path, "tests", "Infrar.Build.Tests", "Infrastructure", "Snapshots", "aws.tf.txt"))
            .Split("### ", StringSplitOptions.RemoveEmptyEntries)
            .Select(section => section.Split('\n', 2))
            .ToDictionary(parts => parts[0].Trim(), parts => parts[1]);

    private string CloudPlanStandIn()
    {
        var policy = JsonSerializer.Serialize("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::photos-x1/*"}]}""");
        var plan = """
            {"format_version":"1.2","resource_changes":[
              {"address":"aws_s3_bucket_public_access_block.photos","mode":"managed","type":"aws_s3_bucket_public_access_block","name":"photos",
               "change":{"actions":["create"],"before":null,"after":{"block_public_acls":true,"block_public_policy":false,"ignore_public_acls":true,"restrict_public_buckets":false},"after_unknown":{"bucket":true,"id":true}}},
              {"address":"aws_iam_role_policy.app_storage","mode":"managed","type":"aws_iam_role_policy","name":"app_storage",
               "change":{"actions":["create"],"before":null,"after":{"name":"storage","policy":POLICY},"after_unknown":{"id":true,"role":true}}}
            ]}
            """.Replace("POLICY", policy, StringComparison.Ordinal);
        var path = Path.Combine(_root.FullName, "cloud-plan-stand-in");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            case "$1" in
              init) echo "stand-in: initialized" ;;
              plan) : > tfplan; echo "stand-in: Plan: 2 to add, 0 to change, 0 to destroy." ;;
              show) cat <<'PLAN'
            {{Regex.Replace(plan, @"\s*\n\s*", "")}}
            PLAN
              ;;
              apply) echo "stand-in: Apply complete!" ;;
            esac

            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }
}
