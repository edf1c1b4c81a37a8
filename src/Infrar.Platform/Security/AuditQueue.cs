using System.Collections.Concurrent;
using Infrar.Platform.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Infrar.Platform.Security;

/// <summary>
/// The audit rows of requests that changed nothing (refusals, replays), written in batches a few times a second rather
/// than one connection each, so that a busy database is not made busier by its own refusals. While the database is
/// unavailable rows wait here; past <see cref="Capacity"/> waiting rows, further ones are folded into one counted row
/// per caller, action and outcome, so memory stays bounded and every request is still counted. A change's row is never
/// here: it is written in the change's own transaction.
/// </summary>
internal sealed partial class AuditQueue(PlatformStore store, ILogger<AuditQueue> logger) : BackgroundService
{
    public const int Capacity = 10_000;
    private const string Folded = "(several: the audit queue was full)";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentQueue<AuditRecord> _rows = new();
    private readonly ConcurrentDictionary<(string Actor, string Action, string Outcome), int> _folded = new();
    private int _count;

    public void Enqueue(AuditRecord record)
    {
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            _folded.AddOrUpdate((record.Actor, record.Action, record.Outcome), 1, (_, n) => n + 1);
            return;
        }

        _rows.Enqueue(record);
    }

    /// <summary>Writes the waiting rows (up to 1,000) now; false when the database refused them (they wait for the next try).</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        var rows = new List<AuditRecord>();
        while (rows.Count < 1000 && _rows.TryDequeue(out var row))
        {
            rows.Add(row);
        }

        var folded = new List<AuditRecord>();
        foreach (var key in _folded.Keys)
        {
            if (_folded.TryRemove(key, out var n))
            {
                folded.Add(new AuditRecord(key.Actor, key.Action, Folded, key.Outcome) { Requests = n });
            }
        }

        if (rows.Count + folded.Count == 0)
        {
            return true;
        }

        try
        {
            await store.AppendAuditAsync([.. rows, .. folded], cancellationToken);
            Interlocked.Add(ref _count, -rows.Count);
            return true;
        }
        catch (System.Data.Common.DbException e)
        {
            // Kept for the next pass; each row keeps the time of its request.
            foreach (var row in rows)
            {
                _rows.Enqueue(row);
            }

            foreach (var row in folded)
            {
                _folded.AddOrUpdate((row.Actor, row.Action, row.Outcome), row.Requests, (_, n) => n + row.Requests);
            }

            LogDeferred(logger, rows.Count + folded.Sum(r => r.Requests), e.Message);
            return false;
        }
    }

    /// <summary>Whether no row waits.</summary>
    public bool IsEmpty => _rows.IsEmpty && _folded.IsEmpty;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, stoppingToken);
                while (!IsEmpty && await FlushAsync(stoppingToken))
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
            await FlushAsync(CancellationToken.None);
        }
    }

    [LoggerMessage(LogLevel.Warning, "{Count} audit rows of refused requests wait: the database is unavailable ({Reason})")]
    private static partial void LogDeferred(ILogger logger, int count, string reason);
}
