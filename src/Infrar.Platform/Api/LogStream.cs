using System.Globalization;
using Infrar.Platform.Data;
using Infrar.Platform.Deployments;

namespace Infrar.Platform.Api;

/// <summary>
/// A deployment's log and status as Server-Sent Events: "log" events with the line id as the event id (so a client
/// resumes with Last-Event-ID), "status" on each change, and "end" once the deployment has ended or waits for an
/// approval. Reads come from the database, so any instance can stream any deployment.
/// </summary>
internal static class LogStream
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    public static async Task StreamAsync(long id, HttpContext context, PlatformStore store, CancellationToken cancellationToken)
    {
        var deployment = await store.RequireDeploymentAsync(id, cancellationToken);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        _ = long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var lastId);
        string? lastStatus = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                lastId = await WriteLinesAsync(context, store, id, lastId, cancellationToken);

                deployment = await store.GetDeploymentAsync(id, cancellationToken);
                if (deployment!.Status != lastStatus)
                {
                    lastStatus = deployment.Status;
                    await context.Response.WriteAsync($"event: status\ndata: {lastStatus}\n\n", cancellationToken);
                }

                await context.Response.Body.FlushAsync(cancellationToken);
                if (DeploymentStatus.IsTerminal(lastStatus) || lastStatus == DeploymentStatus.AwaitingApproval)
                {
                    // One more read, for lines written with the final transition.
                    await WriteLinesAsync(context, store, id, lastId, cancellationToken);

                    await context.Response.WriteAsync($"event: end\ndata: {lastStatus}\n\n", cancellationToken);
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

    private static async Task<long> WriteLinesAsync(HttpContext context, PlatformStore store, long id, long afterId, CancellationToken cancellationToken)
    {
        foreach (var line in await store.ReadLogAsync(id, afterId, cancellationToken))
        {
            var data = line.Line.Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
            await context.Response.WriteAsync($"event: log\nid: {line.Id.ToString(CultureInfo.InvariantCulture)}\ndata: {data}\n\n", cancellationToken);
            afterId = line.Id;
        }

        return afterId;
    }
}
