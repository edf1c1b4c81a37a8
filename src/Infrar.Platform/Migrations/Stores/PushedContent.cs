using System.IO.Pipelines;

namespace Infrar.Platform.Migrations.Stores;

/// <summary>
/// Turns a download that writes into a stream (Cloud Storage's, the local store's) into a stream the copy reads, through
/// a pipe that holds at most 1 MiB: the download waits while the upload catches up. A failed download fails the read;
/// disposing stops the download.
/// </summary>
internal sealed class PushedContent : IAsyncDisposable
{
    private const long Pause = 1 << 20;

    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: Pause, resumeWriterThreshold: Pause / 2, useSynchronizationContext: false));
    private readonly CancellationTokenSource _stop;
    private readonly Task _download;

    private PushedContent(Func<Stream, CancellationToken, Task> download, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Content = _pipe.Reader.AsStream();
        _download = Task.Run(async () =>
        {
            try
            {
                await using (var writer = _pipe.Writer.AsStream(leaveOpen: true))
                {
                    await download(writer, _stop.Token);
                }

                await _pipe.Writer.CompleteAsync();
            }
            catch (Exception e)
            {
                await _pipe.Writer.CompleteAsync(e);
            }
        });
    }

    public Stream Content { get; }

    public static PushedContent Start(Func<Stream, CancellationToken, Task> download, CancellationToken cancellationToken) => new(download, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pipe.Reader.CompleteAsync();
        await _download;
        _stop.Dispose();
    }
}
