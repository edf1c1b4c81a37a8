using System.Net;

namespace Infrar.Testing;

/// <summary>
/// An HTTP server on a free loopback port that keeps every request it gets (path and body) and answers each with the
/// status <c>answer</c> gives: an app whose health a test controls, or a collector that takes whatever it is sent.
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<(string Path, byte[] Body)> _received = [];
    private readonly Func<int, int> _answer;
    private readonly Task _serving;

    /// <param name="answer">The status of the n-th request (counted from 0).</param>
    public LoopbackHttpServer(Func<int, int> answer)
    {
        _answer = answer;
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>Every request so far, in order: its path and body.</summary>
    public IReadOnlyList<(string Path, byte[] Body)> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            int count;
            lock (_received)
            {
                count = _received.Count;
                _received.Add((context.Request.Url!.AbsolutePath, body.ToArray()));
            }

            context.Response.StatusCode = _answer(count);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
