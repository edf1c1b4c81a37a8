using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Infrar.Platform.Data;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// A hostile deployer, a hostile web page and an anonymous flood against a real <c>infrar serve</c> process: every
/// way issue 12 found to reach past a role is tried, and each is refused, contained or counted.
/// </summary>
public sealed class AttackTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-attack-");

    private string Data => Path.Combine(_root.FullName, "data");

    private string WorkRoot => Path.Combine(_root.FullName, "work");

    private string Buckets => Path.Combine(_root.FullName, "buckets");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Plan_time_reads_of_the_token_key_and_database_are_refused_before_anything_is_stored()
    {
        using var service = await ServeAsync();
        using var admin = Admin(service);
        using var deployer = PlatformApi.Client(service.BaseAddress, await PlatformApi.CreateTokenAsync(admin, "mallory", "deployer"));
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photos", "prod", Buckets, isProtected: true);

        foreach (var target in new[] { "admin-token", "credentials.key", "infrar.db" })
        {
            var infra = SampleInfrastructure.Files();
            infra["steal.tf"] = $"output \"loot\" {{\n  value = filebase64(\"{Path.Combine(Data, target)}\")\n}}\n";
            var response = await deployer.PostAsJsonAsync($"/api/environments/{environment}/deployments", new { infra });
            var problem = await AssertRefusedAsync(response, "infra.steal.tf", "rule no-file-functions");
            Assert.Contains("steal.tf:2:", problem, StringComparison.Ordinal);
        }

        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>($"/api/environments/{environment}/deployments") ?? []);
        Assert.DoesNotContain(File.ReadAllText(Path.Combine(Data, "admin-token")).Trim(), await admin.GetStringAsync("/api/audit"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("main.tf", "resource \"terraform_data\" \"x\" {\n  provisioner \"local-exec\" {\n    command = \"id > /tmp/pwned\"\n  }\n}\n", "no-provisioners")]
    [InlineData("main.tf", "data \"external\" \"x\" {\n  program = [\"sh\", \"-c\", \"id\"]\n}\n", "no-external")]
    [InlineData("override.tf", "terraform {\n  backend \"local\" {\n    path = \"/tmp/other.tfstate\"\n  }\n}\n", "file-name")]
    [InlineData("main_override.tf", "locals {}\n", "file-name")]
    [InlineData("terraform.tfvars", "local_root = \"/etc\"\n", "file-name")]
    [InlineData("prod.auto.tfvars", "local_root = \"/etc\"\n", "file-name")]
    [InlineData("backend.tf", "terraform {\n  backend \"local\" {\n    path = \"/tmp/other.tfstate\"\n  }\n}\n", "no-backend")]
    [InlineData("main.tf", "terraform {\n  required_providers {\n    evil = {\n      source  = \"attacker/evil\"\n      version = \"1.0.0\"\n    }\n  }\n}\n", "provider-allowlist")]
    [InlineData("main.tf", "resource \"null_resource\" \"x\" {}\n", "provider-allowlist")]
    public async Task Commands_overrides_variables_backends_and_unknown_providers_are_refused_with_their_rule(string file, string content, string rule)
    {
        using var service = await ServeAsync();
        using var admin = Admin(service);
        using var deployer = PlatformApi.Client(service.BaseAddress, await PlatformApi.CreateTokenAsync(admin, "mallory", "deployer"));
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photos", "dev", Buckets);

        var infra = SampleInfrastructure.Files();
        infra[file] = content;
        await AssertRefusedAsync(await deployer.PostAsJsonAsync($"/api/environments/{environment}/deployments", new { infra }), $"infra.{file}", $"rule {rule}");
        Assert.False(File.Exists("/tmp/pwned"), "nothing ran");
    }

    [Fact]
    public async Task Destroying_a_protected_environment_waits_for_another_user_s_approval()
    {
        using var service = await ServeAsync();
        using var admin = Admin(service);
        using var approver = PlatformApi.Client(service.BaseAddress, await PlatformApi.CreateTokenAsync(admin, "ari", "approver"));
        using var deployer = PlatformApi.Client(service.BaseAddress, await PlatformApi.CreateTokenAsync(admin, "mallory", "deployer"));
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photos", "prod", Buckets, isProtected: true);
        var deployment = (await PlatformApi.DeployAsync(admin, environment)).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(admin, deployment, "awaiting_approval");
        await approver.PostAsync($"/api/deployments/{deployment}/approve", null);
        await PlatformApi.WaitForAsync(admin, deployment, "succeeded");

        var destroy = (await (await deployer.PostAsync($"/api/environments/{environment}/destroy", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var planned = await PlatformApi.WaitForAsync(admin, destroy, "awaiting_approval");
        Assert.Equal(SampleInfrastructure.Buckets.Count, planned.GetProperty("plan").GetProperty("destroys").GetInt32());
        await Task.Delay(1000);
        Assert.All(SampleInfrastructure.Buckets, bucket => Assert.True(Directory.Exists(Path.Combine(Buckets, bucket)), "nothing is destroyed before approval"));
        Assert.Equal(HttpStatusCode.Forbidden, (await deployer.PostAsync($"/api/deployments/{destroy}/approve", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await approver.PostAsync($"/api/deployments/{destroy}/approve", null)).StatusCode);
        await PlatformApi.WaitForAsync(admin, destroy, "destroyed");
        Assert.Equal(
            ["destroy_queued", "planning", "awaiting_approval", "destroying", "destroyed"],
            (await admin.GetFromJsonAsync<JsonElement[]>($"/api/deployments/{destroy}/transitions"))!.Select(t => t.GetProperty("to").GetString()));
    }

    [Fact]
    public async Task A_credential_named_as_an_OpenTofu_variable_is_refused_and_never_stored()
    {
        const string secret = "tf-var-secret-value-0123456789";
        using var service = await ServeAsync();
        using var admin = Admin(service);
        var project = (await (await admin.PostAsJsonAsync("/api/projects", new { name = "photos" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var response = await admin.PostAsJsonAsync($"/api/projects/{project}/environments", new
        {
            name = "dev",
            provider = "local",
            credentials = new Dictionary<string, string> { ["TF_VAR_token"] = secret },
        });
        var problem = await AssertRefusedAsync(response, "credentials.TF_VAR_token", "would be read by OpenTofu");
        Assert.DoesNotContain(secret, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, File.ReadAllText(Path.Combine(Data, "infrar.db"), Encoding.Latin1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_kill_9_of_the_service_no_tofu_process_of_it_remains_and_the_next_deployment_runs_alone()
    {
        var slowTofu = Path.Combine(_root.FullName, "slow-tofu");
        File.WriteAllText(slowTofu, "#!/bin/sh\nif [ \"$1\" = apply ]; then echo 'slow apply: started'; sleep 300; fi\nexec terraform \"$@\"\n");
        File.SetUnixFileMode(slowTofu, (UnixFileMode)0b111_101_101);

        long environment, deployment;
        using (var first = await ServeAsync("--tofu", slowTofu, "--lease-seconds", "2"))
        {
            using var admin = Admin(first);
            environment = await PlatformApi.CreateEnvironmentAsync(admin, "photos", "dev", Buckets);
            deployment = (await PlatformApi.DeployAsync(admin, environment)).GetProperty("id").GetInt64();
            await PlatformApi.WaitForLogAsync(admin, deployment, "slow apply: started");
            Assert.NotEmpty(ProcessesRunning(slowTofu));

            first.KillServiceOnly();
        }

        // Nothing it started survives it: the sandbox dies with its parent, and everything in it with the sandbox.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (ProcessesRunning(slowTofu).Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Empty(ProcessesRunning(slowTofu));

        using var second = await ServeAsync("--lease-seconds", "2");
        using var restarted = Admin(second);
        var interrupted = await PlatformApi.WaitForAsync(restarted, deployment, "failed");
        Assert.StartsWith("interrupted:", interrupted.GetProperty("failure").GetString(), StringComparison.Ordinal);
        var next = (await PlatformApi.DeployAsync(restarted, environment)).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(restarted, next, "succeeded");

        // Both working copies are gone: the killed job's by recovery, the next one's when its job ended.
        await PlatformApi.AssertEmptiedAsync(WorkRoot);
    }

    [Fact]
    public async Task A_cross_origin_or_tokenless_approval_from_the_dashboard_is_refused()
    {
        using var service = await ServeAsync();
        using var admin = Admin(service);
        var approverToken = await PlatformApi.CreateTokenAsync(admin, "ari", "approver");
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photos", "prod", Buckets, isProtected: true);
        var deployment = (await PlatformApi.DeployAsync(admin, environment)).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(admin, deployment, "awaiting_approval");

        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = service.BaseAddress };
        var origin = service.BaseAddress.GetLeftPart(UriPartial.Authority);
        var session = await SignInAsync(browser, approverToken, origin);
        using var page = new HttpRequestMessage(HttpMethod.Get, $"/ui/deployments/{deployment}");
        page.Headers.Add("Cookie", session);
        var html = await (await browser.SendAsync(page)).Content.ReadAsStringAsync();
        var csrf = Regex.Match(html, "name=\"_csrf\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(csrf);

        async Task<HttpResponseMessage> ApproveAsync(string? from, string? formToken)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/ui/deployments/{deployment}/approve")
            {
                Content = new FormUrlEncodedContent(formToken is null ? [] : [new("_csrf", formToken)]),
            };
            request.Headers.Add("Cookie", session);
            if (from is not null)
            {
                request.Headers.Add("Origin", from);
            }

            return await browser.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await ApproveAsync("https://evil.example", csrf)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ApproveAsync(null, csrf)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ApproveAsync(origin, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ApproveAsync(origin, "forged")).StatusCode);
        Assert.Equal("awaiting_approval", (await admin.GetFromJsonAsync<JsonElement>($"/api/deployments/{deployment}")).GetProperty("status").GetString());

        // The session cookie opens no API route, and the page tells the browser to run no inline code and no framing.
        using var api = new HttpRequestMessage(HttpMethod.Post, $"/api/deployments/{deployment}/approve");
        api.Headers.Add("Cookie", session);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(api)).StatusCode);
        using var headers = new HttpRequestMessage(HttpMethod.Get, $"/ui/deployments/{deployment}");
        headers.Headers.Add("Cookie", session);
        var response = await browser.SendAsync(headers);
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());

        Assert.Equal(HttpStatusCode.Redirect, (await ApproveAsync(origin, csrf)).StatusCode);
        await PlatformApi.WaitForAsync(admin, deployment, "succeeded");
    }

    [Fact]
    public async Task An_anonymous_flood_is_refused_before_its_body_is_read_and_adds_a_bounded_count_to_the_audit_log()
    {
        const int flood = 600;
        using var service = await ServeAsync("--anonymous-audit-seconds", "1");
        using var admin = Admin(service);
        var before = await AuditRowsAsync();

        using var anonymous = PlatformApi.Client(service.BaseAddress, null);
        using var gate = new SemaphoreSlim(16);
        var statuses = await Task.WhenAll(Enumerable.Range(0, flood).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var content = new StringContent("{ not json " + new string('x', 2000), Encoding.UTF8, "application/json");
                return (await anonymous.PostAsync("/api/projects", content)).StatusCode;
            }
            finally
            {
                gate.Release();
            }
        }));

        // Never a 400: authentication comes before the body. Past the limit, 429.
        Assert.All(statuses, status => Assert.Contains(status, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests }));
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        List<(string Actor, long Requests, string Outcome)> added;
        do
        {
            await Task.Delay(500);
            added = [.. (await AuditRowsAsync()).Skip(before.Count)];
        }
        while (added.Where(r => r.Actor == "anonymous").Sum(r => r.Requests) < flood && DateTime.UtcNow < deadline);

        var counted = added.Where(r => r.Actor == "anonymous").ToList();
        Assert.Equal(flood, counted.Sum(r => r.Requests));
        Assert.InRange(counted.Count, 1, 30);
        Assert.All(counted, r => Assert.Matches(@"^(401|429) ×\d+(, (401|429) ×\d+)?$", r.Outcome));
    }

    [Fact]
    public async Task Bad_input_gets_problem_details_naming_the_field_and_never_a_500()
    {
        using var service = await ServeAsync();
        using var admin = Admin(service);
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photos", "dev", Buckets);
        var project = (await admin.GetFromJsonAsync<JsonElement[]>("/api/projects"))![0].GetProperty("id").GetInt64();
        var manifest = SampleInfrastructure.Manifest().GetRawText();
        var requests = new List<(string Path, string Body)>
        {
            ($"/api/environments/{environment}/deployments", """{ "infra": { "main.tf": 5 } }"""),
            ($"/api/environments/{environment}/deployments", """{ "infra": { "main.tf": null } }"""),
            ($"/api/environments/{environment}/deployments", """{ "infra": [] }"""),
            ($"/api/environments/{environment}/deployments", """{ "infra": { "main.tf": "" }, "manifest": "text" }"""),
            ($"/api/environments/{environment}/deployments", """{ "infra": { "main.tf": "" }, "manifest": { "schemaVersion": 1, "provider": 5 } }"""),
            ($"/api/environments/{environment}/deployments", $$"""{ "infra": { "main.tf": "" }, "manifest": {{manifest.Replace("\"service\"", "\"servic\"", StringComparison.Ordinal)}} }"""),
            ($"/api/environments/{environment}/deployments", $$"""{ "infra": { "main.tf": "" }, "manifest": {{manifest.Replace("\"port\": 8080", "\"port\": 1e30", StringComparison.Ordinal)}} }"""),
            ($"/api/environments/{environment}/deployments", $$"""{ "infra": { "main.tf": "" }, "manifest": {{manifest.Replace("\"thumbnails\"", "\"photos\"", StringComparison.Ordinal)}} }"""),
            ($"/api/environments/{environment}/deployments", """{ "infra": { "main.tf": "x = \"\\u0000\"" } }"""),
            ($"/api/projects/{project}/environments", """{ "name": "x", "provider": "local", "protected": "yes" }"""),
            ($"/api/projects/{project}/environments", """{ "name": "x", "provider": "local", "variables": { "local_root": "relative/path" } }"""),
            ($"/api/projects/{project}/environments", $$"""{ "name": "x", "provider": "local", "variables": { "local_root": "{{Data}}" } }"""),
            ($"/api/projects/{project}/environments", """{ "name": 7 }"""),
            ("/api/projects", """[1, 2]"""),
            ("/api/tokens", """{ "name": "x", "role": "root" }"""),
            ($"/api/projects/{project}/policy", """{ "rules": [{ "id": "x", "resource": "a", "deny": [{ "path": "a", "matches": "(((" }] }] }"""),
            ($"/api/projects/{project}/policy", """{ "maxMonthlyCost": 1e400 }"""),
        };

        foreach (var (path, body) in requests)
        {
            using var request = new HttpRequestMessage(path.EndsWith("/policy", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post, path)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            var response = await admin.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} {body}: {(int)response.StatusCode} {text}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonDocument.Parse(text).RootElement.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any(), $"{path} {body}: the 400 names a field: {text}");
        }
    }

    [Fact]
    public async Task The_data_folder_and_database_become_owner_only_even_when_the_folder_existed()
    {
        Directory.CreateDirectory(Data);
        File.SetUnixFileMode(Data, (UnixFileMode)0b111_101_101);
        using var service = await ServeAsync();

        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(Data));
        foreach (var file in new[] { "infrar.db", "admin-token", "credentials.key" })
        {
            Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(Data, file)) & (UnixFileMode)0b111_111_111);
        }
    }

    private async Task<ServiceProcess> ServeAsync(params string[] extra) =>
        await ServiceProcess.ServeAsync(Data, ["--work-root", WorkRoot, .. extra]);

    private HttpClient Admin(ServiceProcess service) => PlatformApi.Client(service.BaseAddress, File.ReadAllText(Path.Combine(Data, "admin-token")).Trim());

    private async Task<List<(string Actor, long Requests, string Outcome)>> AuditRowsAsync()
    {
        await using var connection = await Database.Sqlite(Path.Combine(Data, "infrar.db")).OpenAsync();
        return [.. await connection.QueryAsync<(string, long, string)>("SELECT actor, requests, outcome FROM audit_log ORDER BY id")];
    }

    private static async Task<string> SignInAsync(HttpClient browser, string token, string origin)
    {
        using var login = new HttpRequestMessage(HttpMethod.Post, "/ui/login") { Content = new FormUrlEncodedContent([new("token", token)]) };
        login.Headers.Add("Origin", origin);
        var response = await browser.SendAsync(login);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
    }

    private static async Task<string> AssertRefusedAsync(HttpResponseMessage response, string field, string text)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"the 400 names {field}: {errors}");
        Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(text, StringComparison.Ordinal));
        return body;
    }

    /// <summary>Live (not zombie) processes whose command line names <paramref name="text"/>.</summary>
    private static List<int> ProcessesRunning(string text)
    {
        var found = new List<int>();
        foreach (var folder in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                if (stat[(stat.LastIndexOf(')') + 2)] is 'Z' or 'X')
                {
                    continue;
                }

                if (File.ReadAllText(Path.Combine(folder, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // It ended while we looked.
            }
        }

        return found;
    }
}
