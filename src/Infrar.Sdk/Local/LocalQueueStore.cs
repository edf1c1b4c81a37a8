using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Infrar.Internal;

namespace Infrar.Local;

/// <summary>
/// Queues on the file system, shared by every process on the machine: a folder per queue under the local root's
/// <c>.infrar/queues</c>, a file per message. A message file is written whole (temporary file, flushed, renamed in, the
/// folder flushed) and never changed after; its state is its name,
/// <c>&lt;visible-at&gt;.&lt;enqueued-at&gt;.&lt;deliveries&gt;.&lt;id&gt;.&lt;lease&gt;</c> (times in UTC ticks, hexadecimal), and
/// every change of state is one atomic rename. A receiver leases a message by renaming it with a new lease and a
/// visible-at one visibility timeout ahead: of two receivers renaming the same file one wins, so a message is never
/// delivered twice within its lease. Completing removes the leased name; if the lease ran out and another receiver
/// renamed it, the name is gone and the first receiver learns it lost the lease. A crash loses no message: a rename not
/// yet on the disk leaves the message where it was, to be delivered again (at least once).
/// </summary>
internal static class LocalQueueStore
{
    private const string Provider = LocalObjectStore.Provider;
    private const string Unleased = "0";
    private static readonly TimeSpan MinPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(250);

    public static async Task<string> SendAsync(Queue queue, ReadOnlyMemory<byte> body, SendOptions? options, CancellationToken cancellationToken)
    {
        LocalOnly.Ensure(queue.ToString(), "Queue.SendAsync");
        QueueLimits.ValidateMessage(body, options, nameof(body));
        cancellationToken.ThrowIfCancellationRequested();
        return await Task.Run(() => Send(queue, body, options), cancellationToken).ConfigureAwait(false);
    }

    public static async Task<IReadOnlyList<string>> SendBatchAsync(Queue queue, IReadOnlyList<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        LocalOnly.Ensure(queue.ToString(), "Queue.SendBatchAsync");
        QueueLimits.ValidateBatch(messages, nameof(messages));
        cancellationToken.ThrowIfCancellationRequested();
        return await Task.Run(() => (IReadOnlyList<string>)[.. messages.Select(m => Send(queue, m.Body, m.Options))], cancellationToken).ConfigureAwait(false);
    }

    public static async IAsyncEnumerable<QueueMessage> ReceiveAsync(Queue queue, ReceiveOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LocalOnly.Ensure(queue.ToString(), "Queue.ReceiveAsync");
        QueueLimits.ValidateReceive(options, nameof(options));
        var folder = Folder(queue);
        RemoveAbandonedSends(folder);
        while (true)
        {
            // One request: the messages visible now, or the first to become visible within the wait time.
            var waitUntil = DateTime.UtcNow + options.WaitTime;
            var poll = MinPoll;
            List<QueueMessage> batch;
            while ((batch = Lease(queue, folder, options.MaxMessages)).Count == 0 && DateTime.UtcNow < waitUntil)
            {
                await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
                poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, MaxPoll.Ticks));
            }

            cancellationToken.ThrowIfCancellationRequested();
            foreach (var message in batch)
            {
                yield return message;
            }
        }
    }

    private static string Send(Queue queue, ReadOnlyMemory<byte> body, SendOptions? options)
    {
        var folder = Folder(queue);
        var id = Guid.NewGuid().ToString("N");
        var now = DateTime.UtcNow.Ticks;
        var temporary = Path.Combine(folder.Temporary, id);
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            using (var header = new Utf8JsonWriter(file))
            {
                header.WriteStartObject();
                header.WriteStartObject("attributes");
                foreach (var (name, value) in options?.Attributes ?? new Dictionary<string, string>())
                {
                    header.WriteString(name, value);
                }

                header.WriteEndObject();
                header.WriteEndObject();
            }

            file.WriteByte((byte)'\n');
            file.Write(body.Span);
            file.Flush(flushToDisk: true);
        }

        var visibleAt = now + (options?.Delay ?? TimeSpan.Zero).Ticks;
        File.Move(temporary, Path.Combine(folder.Messages, Name(visibleAt, now, 0, id, Unleased)));
        Durable.FlushDirectory(folder.Messages);
        return id;
    }

    /// <summary>Leases up to <paramref name="max"/> visible messages, oldest visible first; moves those past their delivery limit or retention.</summary>
    private static List<QueueMessage> Lease(Queue queue, QueueFolder folder, int max)
    {
        var leased = new List<QueueMessage>();
        var now = DateTime.UtcNow.Ticks;
        // Names start with the visible-at time in fixed-width hexadecimal: in name order, the first not yet visible ends the scan.
        foreach (var path in Directory.GetFiles(folder.Messages).Order(StringComparer.Ordinal))
        {
            if (leased.Count == max)
            {
                break;
            }

            if (MessageName.Parse(path) is not { } name)
            {
                continue; // not a message file
            }

            if (name.VisibleAt > now)
            {
                break;
            }

            if (name.EnqueuedAt + queue.Options.Retention.Ticks <= now)
            {
                TryDelete(path);
                continue;
            }

            if (!queue.IsDeadLetterQueue && name.Deliveries >= queue.Options.MaxDeliveries)
            {
                MoveToDeadLetters(queue, path, name, now);
                continue;
            }

            var visibleAt = now + queue.Options.VisibilityTimeout.Ticks;
            var lease = Guid.NewGuid().ToString("N");
            var leasedName = name with
            {
                VisibleAt = visibleAt,
                Deliveries = name.Deliveries + 1,
                Lease = lease,
                Path = Path.Combine(folder.Messages, Name(visibleAt, name.EnqueuedAt, name.Deliveries + 1, name.Id, lease)),
            };
            if (!TryMove(path, leasedName.Path))
            {
                continue; // another receiver leased it first
            }

            if (Read(queue, leasedName) is { } message)
            {
                leased.Add(message);
            }
        }

        return leased;
    }

    private static void MoveToDeadLetters(Queue queue, string path, MessageName name, long now)
    {
        var deadLetters = Folder(queue.DeadLetters);
        // Moved as it was sent, visible at once; its deliveries start again in the dead-letter queue.
        if (TryMove(path, Path.Combine(deadLetters.Messages, Name(now, name.EnqueuedAt, 0, name.Id, Unleased))))
        {
            Durable.FlushDirectory(deadLetters.Messages);
        }
    }

    private static LocalQueueMessage? Read(Queue queue, MessageName name)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(name.Path);
        }
        catch (FileNotFoundException)
        {
            return null; // its lease ran out at once and another receiver has it
        }

        var newline = Array.IndexOf(content, (byte)'\n');
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var header = JsonDocument.Parse(content.AsMemory(0, newline)))
        {
            foreach (var attribute in header.RootElement.GetProperty("attributes").EnumerateObject())
            {
                attributes[attribute.Name] = attribute.Value.GetString()!;
            }
        }

        return new LocalQueueMessage(queue, name, content.AsMemory(newline + 1), attributes);
    }

    private static bool TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Another receiver moved it first.
        }
    }

    /// <summary>Temporary files of sends that a crash interrupted (a send takes milliseconds; these are an hour old).</summary>
    private static void RemoveAbandonedSends(QueueFolder folder)
    {
        foreach (var file in new DirectoryInfo(folder.Temporary).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1))
            {
                TryDelete(file.FullName);
            }
        }
    }

    private static string Name(long visibleAt, long enqueuedAt, int deliveries, string id, string lease) =>
        string.Create(CultureInfo.InvariantCulture, $"{visibleAt:x16}.{enqueuedAt:x16}.{deliveries}.{id}.{lease}");

    private static QueueFolder Folder(Queue queue)
    {
        if (queue.PhysicalName.Length > 200 || !queue.PhysicalName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') || !char.IsAsciiLetterOrDigit(queue.PhysicalName[0]))
        {
            throw new ArgumentException($"Queue name '{queue.PhysicalName}' is not accepted by the local provider: use letters, digits, '-' and '_', starting with a letter or digit.", "name");
        }

        var root = Path.Combine(LocalObjectStore.Root, ".infrar", "queues", queue.PhysicalName);
        var folder = new QueueFolder(Path.Combine(root, "messages"), Path.Combine(root, "tmp"));
        Directory.CreateDirectory(folder.Messages);
        Directory.CreateDirectory(folder.Temporary);
        return folder;
    }

    private sealed record QueueFolder(string Messages, string Temporary);

    private sealed record MessageName(long VisibleAt, long EnqueuedAt, int Deliveries, string Id, string Lease, string Path)
    {
        public static MessageName? Parse(string path)
        {
            var parts = System.IO.Path.GetFileName(path).Split('.');
            return parts.Length == 5
                && long.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var visibleAt)
                && long.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var enqueuedAt)
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var deliveries)
                ? new MessageName(visibleAt, enqueuedAt, deliveries, parts[3], parts[4], path)
                : null;
        }
    }

    private sealed class LocalQueueMessage(Queue queue, MessageName name, ReadOnlyMemory<byte> body, IReadOnlyDictionary<string, string> attributes)
        : QueueMessage(name.Id, body, name.Deliveries, new DateTimeOffset(name.EnqueuedAt, TimeSpan.Zero), attributes)
    {
        private readonly Lock _lock = new();
        private MessageName _name = name;

        public override Task CompleteAsync(CancellationToken cancellationToken = default) =>
            Change(cancellationToken, current =>
            {
                // Renamed out of the queue first, so that a lost lease shows as a missing name; then removed.
                var done = Path.Combine(Folder(queue).Temporary, current.Id + ".done." + current.Lease);
                if (!TryMove(current.Path, done))
                {
                    throw LeaseLost();
                }

                File.Delete(done);
                return current with { Lease = Unleased };
            });

        public override Task AbandonAsync(TimeSpan delay = default, CancellationToken cancellationToken = default)
        {
            QueueLimits.ValidateLease(delay, nameof(delay), allowZero: true);
            return Change(cancellationToken, current => Rename(current, DateTime.UtcNow.Ticks + delay.Ticks, Unleased));
        }

        public override Task ExtendLeaseAsync(TimeSpan duration, CancellationToken cancellationToken = default)
        {
            QueueLimits.ValidateLease(duration, nameof(duration), allowZero: false);
            return Change(cancellationToken, current => Rename(current, DateTime.UtcNow.Ticks + duration.Ticks, current.Lease));
        }

        private Task Change(CancellationToken cancellationToken, Func<MessageName, MessageName> change)
        {
            try
            {
                LocalOnly.Ensure(queue.ToString(), "QueueMessage");
                cancellationToken.ThrowIfCancellationRequested();
                lock (_lock)
                {
                    if (_name.Lease == Unleased)
                    {
                        throw new InvalidOperationException($"Message '{Id}' was already completed or abandoned.");
                    }

                    _name = change(_name);
                }

                return Task.CompletedTask;
            }
            catch (Exception e)
            {
                return Task.FromException(e);
            }
        }

        private MessageName Rename(MessageName current, long visibleAt, string lease)
        {
            var path = Path.Combine(Path.GetDirectoryName(current.Path)!, Name(visibleAt, current.EnqueuedAt, current.Deliveries, current.Id, lease));
            if (!TryMove(current.Path, path))
            {
                throw LeaseLost();
            }

            return current with { VisibleAt = visibleAt, Lease = lease, Path = path };
        }

        private MessageLeaseLostException LeaseLost() => new(Provider, queue.PhysicalName, Id, "LeaseLost");
    }
}
