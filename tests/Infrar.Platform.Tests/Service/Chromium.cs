using PuppeteerSharp;

namespace Infrar.Platform.Tests.Service;

/// <summary>Debian's chromium, headless, driven by PuppeteerSharp (which downloads no browser of its own here).</summary>
public static class Chromium
{
    public static async Task<IBrowser> LaunchAsync()
    {
        var executable = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("chromium is not installed: eng/install-debian-packages.sh installs Debian's chromium for the dashboard tests.");
        return await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            // Root in a container: chromium's own sandbox needs user namespaces it may not have.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update"],
        });
    }

    /// <summary>Signs in as a person does: the token typed into the sign-in form, then the form sent.</summary>
    public static async Task SignInAsync(IPage page, Uri server, string token)
    {
        await page.GoToAsync(new Uri(server, "/ui/login").ToString());
        await page.TypeAsync("input[name=token]", token);
        await Task.WhenAll(page.WaitForNavigationAsync(), page.EvaluateExpressionAsync("document.querySelector('form').submit()"));
        Xunit.Assert.Equal("/", new Uri(page.Url).AbsolutePath);
        Xunit.Assert.Equal("Projects", await page.EvaluateExpressionAsync<string>("document.querySelector('h1')?.textContent ?? ''"));
    }
}
