using Infrar.Platform.Data;
using Infrar.Platform.Security;

namespace Infrar.Platform.Deployments;

/// <summary>
/// A running job's log: each line masked, then written to the database in batches (every quarter second, and before
/// every transition, so a line is stored before the status that follows it) rather than one transaction a line. Lines
/// the database refused stay for the next batch; none is dropped.
/// </summary>
internal sealed class JobLog : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly PlatformStore _store;
    private readonly List<string> _pending = [];
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _flusher;

    public JobLog(PlatformStore store, long deploymentId)
    {
        _store = store;
        DeploymentId = deploymentId;
        _flusher = FlushPeriodicallyAsync();
    }

    public long DeploymentId { get; }

    /// <summary>What hides the environment's credentials; set once they are read.</summary>
    public SecretMask Mask { get; set; } = SecretMask.None;

    public void Write(string line)
    {
        lock (_pending)
        {
            _pending.Add(Mask.Apply(line));
        }
    }

    /// <summary>Writes every line so far; throws when the database refuses them (they are kept).</summary>
    public async Task FlushAsync()
    {
        await _writing.WaitAsync();
        try
        {
            List<string> lines;
            lock (_pending)
            {
                if (_pending.Count == 0)
                {
                    return;
                }

                lines = [.. _pending];
                _pending.Clear();
            }

            try
            {
                await _store.AppendLogAsync(DeploymentId, lines, CancellationToken.None);
            }
            catch
            {
                lock (_pending)
                {
                    _pending.InsertRange(0, lines);
                }

                throw;
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _flusher;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await FlushAsync();
                break;
            }
            catch (System.Data.Common.DbException) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
        }

        _stop.Dispose();
        _writing.Dispose();
    }

    private async Task FlushPeriodicallyAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(Interval, _stop.Token);
                try
                {
                    await FlushAsync();
                }
                catch (System.Data.Common.DbException)
                {
                    // Kept; the next batch tries again.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The job ended; DisposeAsync writes what is left.
        }
    }
}
