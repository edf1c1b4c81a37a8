using System.Text;
using System.Text.Json.Serialization;
using Infrar;

// A small photo service: albums of photos, thumbnails made by a worker from queued jobs, and share links.
// Run it as it is on the local provider; build it with -p:InfrarProvider=aws|gcp|azure for a cloud.
var photos = Storage.Bucket("photos", new BucketOptions { Versioning = true });
var thumbnails = Storage.Bucket("thumbnails", new BucketOptions { ExpireAfterDays = 30 });
var jobs = Queues.Queue("thumbnail-jobs", new QueueOptions { VisibilityTimeout = TimeSpan.FromMinutes(1), MaxDeliveries = 3 });
using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(1));
var ct = cancellation.Token;

// A job is a key and a width, far under every provider's message limit (INFRAR0104 says what those are).
#pragma warning disable INFRAR0104
var album = $"albums/{DateTime.UtcNow:yyyy-MM-dd}";
var names = new[] { "beach.jpg", "forest.jpg", "city.jpg" };
foreach (var name in names)
{
    var key = $"{album}/{name}";
    var image = Encoding.UTF8.GetBytes($"(pretend JPEG bytes of {name})");
    await photos.UploadAsync(key, image, new UploadOptions
    {
        ContentType = "image/jpeg",
        Metadata = new Dictionary<string, string> { ["album"] = album, ["camera"] = "sample" },
    }, ct);
    await jobs.SendJsonAsync(new ThumbnailJob(key, 128), SampleJson.Default.ThumbnailJob, cancellationToken: ct);
    Console.WriteLine($"uploaded {key} and queued its thumbnail");
}

// The worker: each job is delivered at least once, so making a thumbnail twice must do no harm (it is a copy).
var made = 0;
await foreach (var message in jobs.ReceiveAsync(cancellationToken: ct))
{
    var job = message.BodyAsJson(SampleJson.Default.ThumbnailJob)!;
    try
    {
        await photos.CopyToAsync(job.Key, thumbnails, job.Key.Replace("/", $"/thumb-{job.Width}-", StringComparison.Ordinal), ct);
        Console.WriteLine($"made the {job.Width}px thumbnail of {job.Key} (delivery {message.DeliveryCount})");
    }
    catch (ObjectNotFoundException)
    {
        Console.WriteLine($"{job.Key} is gone; nothing to make");
    }

    await message.CompleteAsync(ct);
    if (++made == names.Length)
    {
        break;
    }
}
#pragma warning restore INFRAR0104

Console.WriteLine("albums:");
await foreach (var entry in photos.ListAsync("albums/", new ListOptions { Delimiter = "/" }, ct))
{
    Console.WriteLine($"  {entry.Key}");
}

var info = await photos.GetInfoAsync($"{album}/beach.jpg", ct);
Console.WriteLine($"beach.jpg: {info.Size} bytes, {info.ContentType}, taken by {info.Metadata["camera"]}, ETag {info.ETag}");

using (var copy = new MemoryStream())
{
    await photos.DownloadAsync($"{album}/forest.jpg", copy, ct);
    Console.WriteLine($"forest.jpg reads back as: {Encoding.UTF8.GetString(copy.ToArray())}");
}

var share = await photos.GetDownloadUrlAsync($"{album}/city.jpg", TimeSpan.FromHours(1), ct);
Console.WriteLine($"share link for city.jpg: {share}");

try
{
    await photos.UploadAsync($"{album}/beach.jpg", [1, 2, 3], new UploadOptions { IfNotExists = true }, ct);
}
catch (ObjectAlreadyExistsException e)
{
    Console.WriteLine($"kept the original: {e.Message}");
}

await photos.DeleteAsync($"{album}/forest.jpg", ct);
Console.WriteLine($"forest.jpg deleted; exists now: {await photos.ExistsAsync($"{album}/forest.jpg", ct)}");

/// <summary>A thumbnail to make: the photo's key and the thumbnail's width.</summary>
internal sealed record ThumbnailJob(string Key, int Width);

/// <summary>The sample's JSON, generated at compile time (no reflection, trimming-safe).</summary>
[JsonSerializable(typeof(ThumbnailJob))]
internal sealed partial class SampleJson : JsonSerializerContext;
