using System.Collections.Concurrent;
using System.Globalization;
using Infrar.Platform.Data;
using Microsoft.Extensions.Hosting;

namespace Infrar.Platform.Security;

/// <summary>
/// Refused requests from callers without a valid token are counted, not written one by one: per window (a minute by
/// default) one audit row per source address, with the count and the answers given. However many requests arrive,
/// the audit log grows by at most <see cref="MaxSources"/> rows a window.
/// </summary>
internal sealed class AnonymousAudit(PlatformStore store, PlatformOptions options) : BackgroundService
{
    public const int MaxSources = 100;
    private const string Other = "other sources";

    private ConcurrentDictionary<string, ConcurrentDictionary<int, int>> _window = new(StringComparer.Ordinal);

    public void Count(string? source, int status)
    {
        var window = _window;
        var key = source ?? "unknown";
        if (!window.ContainsKey(key) && window.Count >= MaxSources)
        {
            key = Other;
        }

        window.GetOrAdd(key, _ => new ConcurrentDictionary<int, int>()).AddOrUpdate(status, 1, (_, n) => n + 1);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.AnonymousAuditWindow, stoppingToken);
                await FlushAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            await FlushAsync(CancellationToken.None);
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var window = Interlocked.Exchange(ref _window, new ConcurrentDictionary<string, ConcurrentDictionary<int, int>>(StringComparer.Ordinal));
        foreach (var (source, statuses) in window.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            var total = statuses.Values.Sum();
            var outcome = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key.ToString(CultureInfo.InvariantCulture)} ×{s.Value.ToString(CultureInfo.InvariantCulture)}"));
            try
            {
                await store.AppendAuditAsync("anonymous", "refused requests", source, outcome, cancellationToken, total);
            }
            catch (System.Data.Common.DbException)
            {
                // The count of one window is lost rather than the service stopping; the next window is written anew.
            }
        }
    }
}
