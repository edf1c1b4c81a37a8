using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PuppeteerSharp;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>The dashboard in a real headless Chromium: sign-in cookie, live log, plan summary, approval, and the cost chart.</summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private DirectoryInfo _root = null!;
    private PlatformServer _server = null!;

    public async Task InitializeAsync()
    {
        _root = Directory.CreateTempSubdirectory("infrar-dashboard-");
        _server = await PlatformServer.StartAsync(Path.Combine(_root.FullName, "data"), postgres: null);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _root.Delete(recursive: true);
    }

    [Fact]
    public async Task An_approver_watches_the_plan_approves_it_in_the_browser_and_sees_the_log_stream_to_success()
    {
        using var admin = _server.Client(_server.AdminToken);
        var environment = await PlatformApi.CreateEnvironmentAsync(admin, "photoservice", "prod", Path.Combine(_root.FullName, "buckets"), isProtected: true);
        var deployment = (await PlatformApi.DeployAsync(admin, environment)).GetProperty("id").GetInt64();
        var approver = await _server.CreateTokenAsync("ari", "approver");

        await using var browser = await Chromium.LaunchAsync();
        await using var page = await browser.NewPageAsync();
        await Chromium.SignInAsync(page, _server.BaseAddress, approver);
        await page.GoToAsync(new Uri(_server.BaseAddress, $"/ui/deployments/{deployment}").ToString());

        // The page follows the deployment live until the plan waits for approval, then shows the plan and the button.
        await page.WaitForSelectorAsync("#approve", new WaitForSelectorOptions { Timeout = Minutes(2) });
        var plan = await page.EvaluateExpressionAsync<string>("document.getElementById('plan').textContent");
        Assert.Contains($"Plan: {SampleInfrastructure.Buckets.Count} to add, 0 to change, 0 to destroy.", plan, StringComparison.Ordinal);
        Assert.Equal(3, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#cost-chart rect').length"));

        await page.ClickAsync("#approve");
        await page.WaitForFunctionAsync("() => document.getElementById('status')?.textContent === 'succeeded'", new WaitForFunctionOptions { Timeout = Minutes(2) });
        await page.WaitForFunctionAsync("() => document.getElementById('log').textContent.includes('Apply complete!')", new WaitForFunctionOptions { Timeout = Minutes(0.5) });
        Assert.Contains("infrar: plan:", await page.EvaluateExpressionAsync<string>("document.getElementById('log').textContent"), StringComparison.Ordinal);

        var shown = await admin.GetFromJsonAsync<JsonElement>($"/api/deployments/{deployment}");
        Assert.Equal("ari", shown.GetProperty("approvedBy").GetString());

        // The projects page lists the environment with its last deployment.
        await page.GoToAsync(_server.BaseAddress.ToString());
        await page.WaitForFunctionAsync("() => (document.querySelector('main')?.textContent ?? '').includes('prod')", new WaitForFunctionOptions { Timeout = Minutes(0.5) });
        Assert.Contains($"#{deployment} succeeded", await page.EvaluateExpressionAsync<string>("document.querySelector('main').textContent"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_token_the_dashboard_asks_to_sign_in_and_refuses_an_unknown_one()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _server.BaseAddress };
        var home = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/ui/login", home.Headers.Location?.ToString());

        using var login = new HttpRequestMessage(HttpMethod.Post, "/ui/login") { Content = new FormUrlEncodedContent([new("token", "infrar_wrong")]) };
        login.Headers.Add("Origin", _server.BaseAddress.GetLeftPart(UriPartial.Authority));
        var refused = await anonymous.SendAsync(login);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("That token is not known.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A valid token signs in; the cookie is a session of its own, not the token, and the API does not take it.
        using var valid = new HttpRequestMessage(HttpMethod.Post, "/ui/login") { Content = new FormUrlEncodedContent([new("token", _server.AdminToken)]) };
        valid.Headers.Add("Origin", _server.BaseAddress.GetLeftPart(UriPartial.Authority));
        var signedIn = await anonymous.SendAsync(valid);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single();
        Assert.StartsWith("infrar_session=", cookie, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.AdminToken, cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        using var page = new HttpRequestMessage(HttpMethod.Get, "/");
        page.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(page)).StatusCode);
        using var api = new HttpRequestMessage(HttpMethod.Get, "/api/projects");
        api.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(api)).StatusCode);
    }

    [Fact]
    public async Task An_admin_makes_a_project_and_an_environment_in_the_browser_and_an_approver_finds_the_plan_its_grants_and_the_audit()
    {
        await using var browser = await Chromium.LaunchAsync();
        await using var page = await browser.NewPageAsync();
        await Chromium.SignInAsync(page, _server.BaseAddress, _server.AdminToken);
        const string Secret = "a-credential-value-nobody-sees";

        // A project, then an environment of it, from the home page's forms.
        await page.TypeAsync("#new-project input[name=name]", "shop");
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#new-project button"));
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("a.new-environment"));

        // A gcp environment without its state bucket is refused, naming the field, and the credential is not sent back.
        await page.TypeAsync("#new-environment input[name=name]", "prod");
        await page.SelectAsync("#new-environment select[name=provider]", "gcp");
        await page.TypeAsync("#new-environment input[name=credential_name_0]", "SHOP_API_KEY");
        await page.TypeAsync("#new-environment input[name=credential_value_0]", Secret);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#new-environment button"));
        Assert.Contains("state.bucket", await page.EvaluateExpressionAsync<string>("document.getElementById('errors').textContent"), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, await page.GetContentAsync(), StringComparison.Ordinal);
        Assert.Equal("SHOP_API_KEY", await page.EvaluateExpressionAsync<string>("document.querySelector('input[name=credential_name_0]').value"));

        // Mended: a protected local environment, which shows the credential's name and never its value.
        await page.SelectAsync("#new-environment select[name=provider]", "local");
        await page.ClickAsync("#new-environment input[name=protected]");
        await page.TypeAsync("#new-environment textarea[name=variables]", $"local_root={Path.Combine(_root.FullName, "shop-buckets")}");
        await page.TypeAsync("#new-environment input[name=credential_value_0]", Secret);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#new-environment button"));
        var environmentPage = await page.GetContentAsync();
        Assert.Contains("SHOP_API_KEY", environmentPage, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, environmentPage, StringComparison.Ordinal);
        using var admin = _server.Client(_server.AdminToken);
        var environment = await admin.GetFromJsonAsync<JsonElement>("/api/environments?project=shop&name=prod");
        Assert.True(environment.GetProperty("protected").GetBoolean());
        Assert.Equal(["SHOP_API_KEY"], environment.GetProperty("credentialNames").EnumerateArray().Select(n => n.GetString()));
        Assert.DoesNotContain(Secret, environment.GetRawText(), StringComparison.Ordinal);

        // The admin deploys; the plan waits for another user, and the approver's home page says so.
        var deployment = (await PlatformApi.DeployAsync(admin, environment.GetProperty("id").GetInt64())).GetProperty("id").GetInt64();
        await PlatformApi.WaitForAsync(admin, deployment, "awaiting_approval");
        Assert.Contains("Nothing waits for you.", await HomeTextAsync(page), StringComparison.Ordinal);
        var approver = await _server.CreateTokenAsync("ana", "approver");
        // The approver signs in in a browser context of their own (pages of one context share its cookies).
        await using var approverContext = await browser.CreateBrowserContextAsync();
        await using var approverPage = await approverContext.NewPageAsync();
        await Chromium.SignInAsync(approverPage, _server.BaseAddress, approver);
        Assert.Contains($"#{deployment} deploy of prod, requested by admin, waits for your approval", await HomeTextAsync(approverPage), StringComparison.Ordinal);
        Assert.Equal(0, await approverPage.EvaluateExpressionAsync<int>("document.querySelectorAll('#new-project').length"));

        // The deployment page: the plan's resources with their actions, and each operation's call sites, grants and price.
        await Task.WhenAll(approverPage.WaitForNavigationAsync(), approverPage.ClickAsync($"#waiting a[href='/ui/deployments/{deployment}']"));
        var resources = await approverPage.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#plan-resources li')].map(li => li.textContent)");
        Assert.Equal(SampleInfrastructure.Buckets.Count, resources.Length);
        Assert.All(resources, resource => Assert.EndsWith(" create", resource, StringComparison.Ordinal));
        var grants = await approverPage.EvaluateExpressionAsync<string[][]>("[...document.querySelectorAll('#grants tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))");
        var upload = grants.FirstOrDefault(row => row[0] == "bucket photos" && row[1] == "upload_bytes (write)");
        Assert.True(upload is not null, "no upload of photos among the grants:\n" + string.Join("\n", grants.Select(row => string.Join(" | ", row))));
        Assert.Matches(@"^(Program\.cs:\d+){2}$", upload[2]);
        Assert.Contains("aws: s3:PutObject", upload[3], StringComparison.Ordinal);
        Assert.Contains("gcp: storage.objects.create", upload[3], StringComparison.Ordinal);
        var prices = upload.Skip(4).Select(cell => decimal.Parse(cell, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, prices.Count);
        Assert.All(prices, price => Assert.True(price > 0, $"a million uploads cost {price} on some provider"));

        // The audit log is the admin's: the approver is refused it, and the admin finds the forms' changes and the sign-ins.
        Assert.Equal(HttpStatusCode.Forbidden, (await approverPage.GoToAsync(new Uri(_server.BaseAddress, "/ui/audit").ToString())).Status);
        await page.GoToAsync(new Uri(_server.BaseAddress, "/ui/audit").ToString());
        var audit = await page.EvaluateExpressionAsync<string>("document.getElementById('audit').textContent");
        Assert.Contains("POST /ui/projects", audit, StringComparison.Ordinal);
        Assert.Contains("POST /ui/projects/{id:long}/environments/ui/projects/1/environments302", audit, StringComparison.Ordinal);
        Assert.Contains("session.create", audit, StringComparison.Ordinal);

        // With a source set, the environment page starts a build of a ref, in the name of whoever submits it.
        var project = (await admin.GetFromJsonAsync<JsonElement>("/api/projects")).EnumerateArray().Single(p => p.GetProperty("name").GetString() == "shop").GetProperty("id").GetInt64();
        var source = new { repository = "https://git.example.invalid/shop.git", path = "src/Shop.csproj", branches = new Dictionary<string, string>() };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/projects/{project}/source", source)).StatusCode);
        await page.GoToAsync(new Uri(_server.BaseAddress, $"/ui/environments/{environment.GetProperty("id").GetInt64()}").ToString());
        await page.EvaluateExpressionAsync("document.querySelector('#build input[name=ref]').value = 'release/2'");
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("#build button"));
        Assert.Contains("Built from https://git.example.invalid/shop.git at release/2", await page.EvaluateExpressionAsync<string>("document.getElementById('source').textContent"), StringComparison.Ordinal);
        var built = await admin.GetFromJsonAsync<JsonElement>(new Uri(page.Url).AbsolutePath.Replace("/ui/", "/api/", StringComparison.Ordinal));
        Assert.Equal(("admin", "release/2"), (built.GetProperty("requestedBy").GetString(), built.GetProperty("source").GetProperty("ref").GetString()));
    }

    private static async Task<string> HomeTextAsync(IPage page)
    {
        await page.GoToAsync(new Uri(new Uri(page.Url), "/").ToString());
        return await page.EvaluateExpressionAsync<string>("document.querySelector('main').textContent");
    }

    private static int Minutes(double minutes) => (int)TimeSpan.FromMinutes(minutes).TotalMilliseconds;
}
