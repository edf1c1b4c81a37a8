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

    private static int Minutes(double minutes) => (int)TimeSpan.FromMinutes(minutes).TotalMilliseconds;
}
