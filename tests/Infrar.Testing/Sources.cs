namespace Infrar.Testing;

/// <summary>Application code the generator is run over.</summary>
public static class Sources
{
    /// <summary>Every storage operation, once each, on buckets declared the ways people declare them.</summary>
    public const string EveryOperation = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Threading;
        using System.Threading.Tasks;
        using Infrar;

        namespace Showcase;

        public sealed class PhotoLibrary
        {
            private static readonly Bucket Photos = Storage.Bucket("photos", new BucketOptions { Versioning = true });

            public async Task RunAsync(Stream upload, CancellationToken ct)
            {
                var archive = Storage.Bucket("archive");
                await Photos.UploadAsync("a.jpg", upload, new UploadOptions { ContentType = "image/jpeg" }, ct);
                await Photos.UploadAsync("b.jpg", new byte[] { 1, 2, 3 }, cancellationToken: ct);
                await Photos.UploadFileAsync("c.jpg", "/tmp/c.jpg", null, ct);
                await Photos.DownloadAsync("a.jpg", Stream.Null, ct);
                byte[] bytes = await Photos.DownloadBytesAsync("b.jpg", ct);
                await Photos.DownloadFileAsync("c.jpg", "/tmp/c-copy.jpg", ct);
                ObjectInfo info = await Photos.GetInfoAsync("a.jpg", ct);
                bool exists = await Photos.ExistsAsync("a.jpg", ct);
                await foreach (var entry in Photos.ListAsync("2024/", new ListOptions { Delimiter = "/" }, ct))
                {
                    Console.WriteLine(entry.Key);
                }

                await Photos.DeleteAsync("b.jpg", ct);
                await Photos.CopyAsync("a.jpg", "a-copy.jpg", ct);
                await Photos.CopyToAsync("a.jpg", archive, "2024/a.jpg", ct);
                Uri read = await Photos.GetDownloadUrlAsync("a.jpg", TimeSpan.FromMinutes(5), ct);
                Uri write = await archive.GetUploadUrlAsync("upload.jpg", TimeSpan.FromMinutes(5), ct);
                Console.WriteLine($"{bytes.Length} {info.Size} {exists} {read} {write}");
            }
        }
        """;

    /// <summary>Every queue operation, once each, on queues declared the ways people declare them, the dead-letter queue included.</summary>
    public const string EveryQueueOperation = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json.Serialization.Metadata;
        using System.Threading;
        using System.Threading.Tasks;
        using Infrar;

        namespace Showcase;

        public sealed record ThumbnailJob(string Key, int Width);

        public sealed class Thumbnails
        {
            private static readonly Queue Jobs = Queues.Queue("thumbnail-jobs", new QueueOptions
            {
                VisibilityTimeout = TimeSpan.FromMinutes(2),
                MaxDeliveries = 3,
                Retention = TimeSpan.FromDays(2),
            });

            public async Task SendAsync(ThumbnailJob job, JsonTypeInfo<ThumbnailJob> jobJson, CancellationToken ct)
            {
                var audit = Queues.Queue("audit");
                await Jobs.SendAsync(new byte[] { 1, 2, 3 }, null, ct);
                await Jobs.SendAsync("photos/cat.jpg", new SendOptions { Delay = TimeSpan.FromSeconds(10) }, ct);
                await Jobs.SendJsonAsync(job, jobJson, cancellationToken: ct);
                await audit.SendJsonAsync(job, cancellationToken: ct);
                await audit.SendBatchAsync([OutgoingMessage.FromString("a"), OutgoingMessage.FromString("b")], ct);
            }

            public async Task WorkAsync(CancellationToken ct)
            {
                await foreach (var message in Jobs.ReceiveAsync(new ReceiveOptions { MaxMessages = 5 }, ct))
                {
                    Console.WriteLine(message.BodyAsString());
                    await message.CompleteAsync(ct);
                }
            }

            public async Task InspectAsync(CancellationToken ct)
            {
                await foreach (var message in Jobs.DeadLetters.ReceiveAsync(cancellationToken: ct))
                {
                    await message.AbandonAsync(TimeSpan.FromMinutes(1), ct);
                }
            }
        }
        """;

    /// <summary>A file with nothing to do with Infrar.</summary>
    public const string Unrelated = """
        namespace Showcase;

        public static class Arithmetic
        {
            public static int Twice(int x) => x * 2;
        }
        """;
}
