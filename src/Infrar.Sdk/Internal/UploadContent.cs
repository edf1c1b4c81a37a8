using System.ComponentModel;

namespace Infrar.Internal;

/// <summary>
/// What every provider's upload sends: the caller's stream from its current position to its end, never disposed. A
/// provider SDK that needs a length, or rewinds to retry, gets a seekable view that starts where the caller's stream
/// stood; a stream that cannot seek is first copied to a temporary file.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class UploadContent
{
    /// <summary>A seekable stream of what is left of <paramref name="content"/>; disposing it leaves <paramref name="content"/> open.</summary>
    public static async Task<Stream> FromAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.CanSeek)
        {
            return new Window(content, content.Position);
        }

        var buffer = new FileStream(
            Path.Combine(Path.GetTempPath(), $"infrar-upload-{Guid.NewGuid():N}"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            buffer.Position = 0;
            return buffer;
        }
        catch
        {
            await buffer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A read-only view of a stream from <c>start</c> to its end, positions counted from <c>start</c>.</summary>
    private sealed class Window(Stream inner, long start) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => inner.Length - start;

        public override long Position
        {
            get => inner.Position - start;
            set => inner.Position = start + value;
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => Length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        // The caller's stream stays theirs: disposing the view leaves it open.
        protected override void Dispose(bool disposing)
        {
        }
    }
}
