using System.Globalization;
using Infrar.Platform.Data;

namespace Infrar.Platform.Deployments;

/// <summary>
/// A deployment's log and status as Server-Sent Events: "log" events with the line id as the event id (so a client
/// resumes with Last-Event-ID), a "status" event for every transition it makes (none skipped, however quick), and
/// "end" once it has ended or waits for a person (an approval or a waiver). Reads come from the database, so any
/// instance can stream any deployment.
/// </summary>
internal static class DeploymentEvents
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    public static async Task StreamAsync(long id, HttpContext context, PlatformStore store, CancellationToken cancellationToken)
    {
        await store.RequireDeploymentAsync(id, cancellationToken);
        var lastLine = Begin(context);
        long lastTransition = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                lastLine = await WriteLinesAsync(context, store, id, lastLine, cancellationToken);
                string? status = null;
                foreach (var transition in await store.ListTransitionsAsync(id, cancellationToken, lastTransition))
                {
                    status = transition.ToStatus;
                    lastTransition = transition.Id;
                    await context.Response.WriteAsync($"event: status\ndata: {status}\n\n", cancellationToken);
                }

                await context.Response.Body.FlushAsync(cancellationToken);
                if (status is not null && (DeploymentStatus.IsTerminal(status) || DeploymentStatus.Waiting.Contains(status)))
                {
                    // One more read, for lines written with the final transition.
                    await WriteLinesAsync(context, store, id, lastLine, cancellationToken);
                    await context.Response.WriteAsync($"event: end\ndata: {status}\n\n", cancellationToken);
                    await context.Response.Body.FlushAsync(cancellationToken);
                    return;
                }

                await Task.Delay(Interval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    private static async Task<long> WriteLinesAsync(HttpContext context, PlatformStore store, long id, long afterId, CancellationToken cancellationToken) =>
        await WriteLogAsync(context, await store.ReadLogAsync(id, afterId, cancellationToken), afterId, cancellationToken);

    /// <summary>Starts an event stream; returns the Last-Event-ID the client resumes after (0 when none).</summary>
    internal static long Begin(HttpContext context)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        _ = long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var lastEventId);
        return lastEventId;
    }

    /// <summary>Writes log lines as "log" events, each with its id as the event id; returns the last id written.</summary>
    internal static async Task<long> WriteLogAsync(HttpContext context, IEnumerable<LogLine> lines, long afterId, CancellationToken cancellationToken)
    {
        foreach (var line in lines)
        {
            var data = line.Line.Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
            await context.Response.WriteAsync($"event: log\nid: {line.Id.ToString(CultureInfo.InvariantCulture)}\ndata: {data}\n\n", cancellationToken);
            afterId = line.Id;
        }

        return afterId;
    }
}
