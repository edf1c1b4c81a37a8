using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// Requests are logged at Debug, one structured entry each: a service under load at the default level writes none,
/// and one asked for debug writes one per request with its route, status and caller as fields.
/// </summary>
public sealed class RequestLoggingTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-logging-");

    [Theory]
    [InlineData(LogLevel.Information, 0)]
    [InlineData(LogLevel.Debug, 20)]
    public async Task Each_request_is_one_structured_entry_at_debug_and_none_above(LogLevel level, int expected)
    {
        var captured = new CapturingProvider();
        var server = await PlatformServer.StartAsync(
            Path.Combine(_root.FullName, "data"), null, options => options.LogLevel = level, logging => logging.AddProvider(captured));
        await using (server)
        {
            using var admin = server.Client(server.AdminToken);
            for (var i = 0; i < 20; i++)
            {
                (await admin.GetAsync("/api/projects")).EnsureSuccessStatusCode();
            }
        }

        var requests = captured.Entries.Where(e => e.Category == "Infrar.Platform.Requests").ToList();
        Assert.Equal(expected, requests.Count);
        Assert.All(requests, entry =>
        {
            Assert.Equal(LogLevel.Debug, entry.Level);
            Assert.Equal("GET", entry.Fields["Method"]);
            Assert.Equal("/api/projects", entry.Fields["Route"]);
            Assert.Equal(200, entry.Fields["Status"]);
            Assert.Equal("admin", entry.Fields["Caller"]);
        });
    }

    public void Dispose() => _root.Delete(recursive: true);

    private sealed record Entry(string Category, LogLevel Level, IReadOnlyDictionary<string, object?> Fields);

    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<Entry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? pairs.ToDictionary(p => p.Key, p => p.Value) : [];
                entries.Enqueue(new Entry(category, logLevel, fields));
            }
        }
    }
}
