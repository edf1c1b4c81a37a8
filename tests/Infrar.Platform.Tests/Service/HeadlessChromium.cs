using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Infrar.Testing;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// Debian's chromium, headless, driven over the DevTools protocol: open a page, read or click in it.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ClientWebSocket _socket;
    private readonly string _profile;
    private int _nextId;

    private HeadlessChromium(Process process, ClientWebSocket socket, string profile)
    {
        _process = process;
        _socket = socket;
        _profile = profile;
    }

    public static string? Executable =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    public static async Task<HeadlessChromium> StartAsync()
    {
        var executable = Executable ?? throw new InvalidOperationException("chromium is not installed: .ci/run installs Debian's chromium package for the dashboard tests.");
        var port = FreePort.Next();
        var profile = Directory.CreateTempSubdirectory("infrar-chromium-").FullName;
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", $"--user-data-dir={profile}",
            $"--remote-debugging-port={port}", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await FreePort.WaitUntilListeningAsync(port, "chromium", TimeSpan.FromSeconds(60), exited: () => process.HasExited);

        using var http = new HttpClient();
        string? page = null;
        for (var attempt = 0; page is null && attempt < 50; attempt++)
        {
            var targets = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{port}/json/list");
            page = targets.EnumerateArray().Where(t => t.GetProperty("type").GetString() == "page").Select(t => t.GetProperty("webSocketDebuggerUrl").GetString()).FirstOrDefault();
            if (page is null)
            {
                await Task.Delay(100);
            }
        }

        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(page ?? throw new InvalidOperationException("chromium opened no page.")), CancellationToken.None);
        return new HeadlessChromium(process, socket, profile);
    }

    public Task NavigateAsync(Uri url) => SendAsync("Page.navigate", new { url = url.ToString() });

    /// <summary>Evaluates a JavaScript expression in the page and returns its value as a string.</summary>
    public async Task<string> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true });
        var value = result.GetProperty("result");
        return value.TryGetProperty("value", out var v) ? v.ToString() : "";
    }

    /// <summary>Evaluates until the expression's value satisfies the condition, or fails with the last value.</summary>
    public async Task<string> WaitForAsync(string expression, Func<string, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var value = "";
        while (DateTime.UtcNow < deadline)
        {
            value = await EvaluateAsync(expression);
            if (condition(value))
            {
                return value;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException($"The page never satisfied the condition; `{expression}` was: {value}");
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_profile, recursive: true);
    }

    private async Task<JsonElement> SendAsync(string method, object parameters)
    {
        var id = ++_nextId;
        var message = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters });
        await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var received = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                received.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var reply = JsonDocument.Parse(received.ToArray()).RootElement;
            if (reply.TryGetProperty("id", out var replyId) && replyId.GetInt32() == id)
            {
                if (reply.TryGetProperty("error", out var error))
                {
                    throw new InvalidOperationException($"chromium refused {method}: {error}");
                }

                return reply.GetProperty("result").Clone();
            }
        }
    }
}
