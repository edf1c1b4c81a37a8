using System.Buffers;
using System.Security.Cryptography;

namespace Infrar.Platform.Migrations.Stores;

/// <summary>One object as a listing shows it: enough to tell later whether it changed.</summary>
internal sealed record ListedObject(string Key, long Size, string ETag, DateTimeOffset LastModified);

/// <summary>What a provider says of an object besides its bytes; <see cref="Md5"/> (base64) when it reports the content's MD5.</summary>
internal sealed record ObjectFacts(long Size, string ContentType, IReadOnlyDictionary<string, string> Metadata, string? Md5)
{
    /// <summary>
    /// An object's content type, or Infrar's default for one that has none (a blob uploaded without it): written as
    /// such, so every provider holds the same value rather than its own default.
    /// </summary>
    public static string ContentTypeOf(string? contentType) => string.IsNullOrEmpty(contentType) ? Infrar.Internal.ContentTypes.Unknown : contentType;
}

/// <summary>An object opened for reading: its facts and its content, read once, front to back.</summary>
internal sealed class OpenedObject(ObjectFacts facts, Stream content, IAsyncDisposable? owner = null) : IAsyncDisposable
{
    public ObjectFacts Facts { get; } = facts;

    public Stream Content { get; } = content;

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync();
        if (owner is not null)
        {
            await owner.DisposeAsync();
        }
    }
}

/// <summary>What a write did: the content's MD5 (base64) computed as it streamed, and how the target confirmed it.</summary>
internal sealed record WrittenObject(string Md5, string VerifiedBy);

/// <summary>
/// One bucket of one provider as the migration's copy sees it, through the provider's own SDK: list, open, write,
/// describe. A write streams with bounded memory (at most one part of <see cref="PartSize"/> per write at a time),
/// computes the content's MD5 on the way, and checks it against what the provider reports it received; a mismatch is a
/// <see cref="VerificationException"/>. Nothing here modifies or deletes anything but the object it writes.
/// </summary>
internal abstract class ObjectStore : IAsyncDisposable
{
    /// <summary>The largest part a write holds in memory: 8 MiB, a multiple of every provider's part granularity.</summary>
    public const int PartSize = 8 << 20;

    /// <summary>The provider and the bucket, for logs and errors: <c>aws:s3://name</c>.</summary>
    public abstract string Description { get; }

    /// <summary>Every object in the bucket, in the provider's order.</summary>
    public abstract IAsyncEnumerable<ListedObject> ListAsync(CancellationToken cancellationToken);

    public abstract Task<OpenedObject> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Writes exactly <paramref name="facts"/>.Size bytes of <paramref name="content"/> under <paramref name="key"/>, with its content type and metadata.</summary>
    public abstract Task<WrittenObject> WriteAsync(string key, Stream content, ObjectFacts facts, CancellationToken cancellationToken);

    /// <summary>The object's facts, or null when there is no such object.</summary>
    public abstract Task<ObjectFacts?> HeadAsync(string key, CancellationToken cancellationToken);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The MD5 of what a read yields, streamed through a small buffer: the check of last resort, a re-read.</summary>
    public async Task<string> HashAsync(string key, CancellationToken cancellationToken)
    {
        await using var opened = await OpenReadAsync(key, cancellationToken);
        return Convert.ToBase64String(await MD5.HashDataAsync(opened.Content, cancellationToken));
    }

    /// <summary>
    /// Reads up to <paramref name="count"/> bytes into a pooled buffer, hashing them; fewer only at the end of the
    /// content. A source that ends before its listed size is refused, so no short object is written as whole.
    /// </summary>
    protected static async Task<Part> ReadPartAsync(Stream content, int count, IncrementalHash whole, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(count, 1));
        var filled = 0;
        try
        {
            while (filled < count)
            {
                var read = await content.ReadAsync(buffer.AsMemory(filled, count - filled), cancellationToken);
                if (read == 0)
                {
                    throw new VerificationException($"the source ended after {filled} of the {count} bytes expected in this part: it changed or was cut short while being copied");
                }

                filled += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        whole.AppendData(buffer, 0, filled);
        return new Part(buffer, filled);
    }

    /// <summary>Fails when the source has more bytes than its listed size.</summary>
    protected static async Task EnsureEndedAsync(Stream content, CancellationToken cancellationToken)
    {
        var probe = new byte[1];
        if (await content.ReadAsync(probe, cancellationToken) != 0)
        {
            throw new VerificationException("the source has more bytes than its size said: it changed while being copied");
        }
    }

    /// <summary>Part sizes for an object: one part when it fits in <see cref="PartSize"/>, else full parts and the rest.</summary>
    protected static IEnumerable<int> Parts(long size)
    {
        if (size == 0)
        {
            yield return 0;
            yield break;
        }

        for (var left = size; left > 0; left -= PartSize)
        {
            yield return (int)Math.Min(left, PartSize);
        }
    }

    protected static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Hands over exactly the object's listed size, hashing it; a source that ends early or runs on is refused.</summary>
    protected sealed class SizedStream(Stream source, long size, IncrementalHash hash) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => size;

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var wanted = (int)Math.Min(buffer.Length, size - _read);
            if (wanted == 0)
            {
                return 0;
            }

            var read = await source.ReadAsync(buffer[..wanted], cancellationToken);
            if (read == 0)
            {
                throw new VerificationException($"the source ended after {_read} of its {size} bytes: it changed or was cut short while being copied");
            }

            hash.AppendData(buffer.Span[..read]);
            _read += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        /// <summary>Fails unless every byte was handed over and the source has none after them.</summary>
        public async Task EnsureWholeAsync(CancellationToken cancellationToken)
        {
            if (_read != size)
            {
                throw new VerificationException($"the upload took {_read} of the object's {size} bytes");
            }

            await EnsureEndedAsync(source, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A part's bytes in a pooled buffer, returned when disposed.</summary>
    protected sealed class Part(byte[] buffer, int length) : IDisposable
    {
        public int Length => length;

        public byte[] Md5() => MD5.HashData(buffer.AsSpan(0, length));

        public MemoryStream AsStream() => new(buffer, 0, length, writable: false);

        public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, length);

        public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
    }
}

/// <summary>The target did not confirm what was sent, or the source changed under the copy.</summary>
internal sealed class VerificationException(string message) : Exception(message);
