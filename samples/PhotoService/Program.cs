using System.Text;
using Infrar;

// A small photo service: albums of photos, thumbnails beside them, and share links.
// Run it as it is on the local provider; build it with -p:InfrarProvider=aws|gcp|azure for a cloud.
var photos = Storage.Bucket("photos", new BucketOptions { Versioning = true });
var thumbnails = Storage.Bucket("thumbnails", new BucketOptions { ExpireAfterDays = 30 });
using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(1));
var ct = cancellation.Token;

var album = $"albums/{DateTime.UtcNow:yyyy-MM-dd}";
foreach (var name in new[] { "beach.jpg", "forest.jpg", "city.jpg" })
{
    var key = $"{album}/{name}";
    var image = Encoding.UTF8.GetBytes($"(pretend JPEG bytes of {name})");
    await photos.UploadAsync(key, image, new UploadOptions
    {
        ContentType = "image/jpeg",
        Metadata = new Dictionary<string, string> { ["album"] = album, ["camera"] = "sample" },
    }, ct);
    await photos.CopyToAsync(key, thumbnails, $"{album}/thumb-{name}", ct);
    Console.WriteLine($"uploaded {key} and its thumbnail");
}

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
