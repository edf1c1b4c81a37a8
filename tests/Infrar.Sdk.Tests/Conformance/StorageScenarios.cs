using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using System.Text;
using Xunit;

namespace Infrar.Conformance;

/// <summary>
/// What every provider must do, written once. The local provider runs these bodies as they are; for aws, azure
/// and gcp the suite compiles this file again with Infrar's generator, so each call below becomes a direct call on
/// that provider's SDK, and runs it against that provider's emulator.
/// </summary>
/// <remarks>
/// <c>media</c> and <c>archive</c> are provisioned under the physical names in INFRAR_BUCKET_MEDIA and
/// INFRAR_BUCKET_ARCHIVE; <c>missing</c> is never provisioned. Each scenario works under its own key prefix.
/// </remarks>
public static class StorageScenarios
{
    public static async Task UploadStreamThenDownloadStream()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "stream.bin";
        var content = Bytes(70_000);
        await media.UploadAsync(key, new MemoryStream(content));

        var copy = new MemoryStream();
        await media.DownloadAsync(key, copy);
        Assert.Equal(content, copy.ToArray());
    }

    public static async Task UploadBytesThenDownloadBytes()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "hello.txt";
        await media.UploadAsync(key, Encoding.UTF8.GetBytes("hello, clouds"));

        Assert.Equal("hello, clouds", Encoding.UTF8.GetString(await media.DownloadBytesAsync(key)));
    }

    public static async Task UploadFileThenDownloadFile()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "file.bin";
        var folder = Directory.CreateTempSubdirectory("infrar-conformance-");
        try
        {
            var source = Path.Combine(folder.FullName, "source.bin");
            var target = Path.Combine(folder.FullName, "nested", "target.bin");
            var content = Bytes(5_000);
            await File.WriteAllBytesAsync(source, content);

            await media.UploadFileAsync(key, source, new UploadOptions { ContentType = "application/x-test" });
            await media.DownloadFileAsync(key, target);

            Assert.Equal(content, await File.ReadAllBytesAsync(target));
            Assert.Equal("application/x-test", (await media.GetInfoAsync(key)).ContentType);
            Assert.Equal(["source.bin"], Directory.GetFiles(folder.FullName).Select(Path.GetFileName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    public static async Task GetInfoReportsSizeTypeETagDateAndMetadata()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "photo.jpg";
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await media.UploadAsync(key, Bytes(1234), new UploadOptions
        {
            ContentType = "image/jpeg",
            Metadata = new Dictionary<string, string> { ["album"] = "summer", ["camera"] = "x100" },
        });

        var info = await media.GetInfoAsync(key);

        Assert.Equal(key, info.Key);
        Assert.Equal(1234, info.Size);
        Assert.Equal("image/jpeg", info.ContentType);
        Assert.False(string.IsNullOrEmpty(info.ETag));
        Assert.InRange(info.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal("summer", info.Metadata["album"]);
        Assert.Equal("x100", info.Metadata["camera"]);
    }

    public static async Task UploadWithoutContentTypeTakesItFromTheKeysExtension()
    {
        var media = Storage.Bucket("media");
        var prefix = Prefix();
        var expected = new Dictionary<string, string>
        {
            ["blob"] = "application/octet-stream",
            ["report.json"] = "application/json",
            ["site/Index.HTML"] = "text/html",
            ["notes.txt"] = "text/plain",
            ["photo.v2.jpeg"] = "image/jpeg",
            ["archive.unknownext"] = "application/octet-stream",
            ["folder.png/readme"] = "application/octet-stream",
        };
        foreach (var key in expected.Keys)
        {
            await media.UploadAsync(prefix + key, Bytes(10));
        }

        var source = Path.GetTempFileName();
        try
        {
            await media.UploadFileAsync(prefix + "from-file.css", source);
        }
        finally
        {
            File.Delete(source);
        }

        foreach (var (key, type) in expected.Append(new("from-file.css", "text/css")))
        {
            var info = await media.GetInfoAsync(prefix + key);
            Assert.True(type == info.ContentType, $"{key}: expected {type}, stored {info.ContentType}");
            Assert.Empty(info.Metadata);
        }

        // A content type given is kept, whatever the extension.
        await media.UploadAsync(prefix + "data.json", Bytes(10), new UploadOptions { ContentType = "text/x-custom" });
        Assert.Equal("text/x-custom", (await media.GetInfoAsync(prefix + "data.json")).ContentType);
    }

    public static async Task ExistsTellsPresenceAndAbsence()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "here.txt";
        Assert.False(await media.ExistsAsync(key));

        await media.UploadAsync(key, Bytes(1));

        Assert.True(await media.ExistsAsync(key));
    }

    public static async Task UploadReplacesAnExistingObject()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "replaced.txt";
        await media.UploadAsync(key, Encoding.UTF8.GetBytes("first"));
        var first = await media.GetInfoAsync(key);

        await media.UploadAsync(key, Encoding.UTF8.GetBytes("second, longer"));

        var second = await media.GetInfoAsync(key);
        Assert.Equal("second, longer", Encoding.UTF8.GetString(await media.DownloadBytesAsync(key)));
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(14, second.Size);
    }

    public static async Task IfNotExistsRefusesToOverwrite()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "once.txt";
        var onlyIfNew = new UploadOptions { IfNotExists = true };
        await media.UploadAsync(key, Encoding.UTF8.GetBytes("original"), onlyIfNew);

        var refused = await Assert.ThrowsAsync<ObjectAlreadyExistsException>(() => media.UploadAsync(key, Encoding.UTF8.GetBytes("intruder"), onlyIfNew));

        Assert.Equal(key, refused.Key);
        Assert.IsAssignableFrom<PreconditionFailedException>(refused);
        Assert.Equal("original", Encoding.UTF8.GetString(await media.DownloadBytesAsync(key)));
    }

    public static async Task MissingObjectIsObjectNotFoundExceptForExistsAndDelete()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "nothing-here";
        var folder = Directory.CreateTempSubdirectory("infrar-conformance-");
        try
        {
            var download = await Assert.ThrowsAsync<ObjectNotFoundException>(() => media.DownloadBytesAsync(key));
            await Assert.ThrowsAsync<ObjectNotFoundException>(() => media.DownloadAsync(key, new MemoryStream()));
            await Assert.ThrowsAsync<ObjectNotFoundException>(() => media.DownloadFileAsync(key, Path.Combine(folder.FullName, "sub", "file")));
            await Assert.ThrowsAsync<ObjectNotFoundException>(() => media.GetInfoAsync(key));
            var copy = await Assert.ThrowsAsync<ObjectNotFoundException>(() => media.CopyAsync(key, Prefix() + "copy"));
            Assert.False(await media.ExistsAsync(key));
            await media.DeleteAsync(key);
            await media.DeleteAsync(Prefix() + "no/folder/either");

            Assert.Equal(key, download.Key);
            Assert.Equal(key, copy.Key);
            Assert.Equal(media.PhysicalName, download.Bucket);
            Assert.False(string.IsNullOrEmpty(download.ProviderErrorCode));
            Assert.Contains(key, download.Message);
            Assert.Empty(folder.GetFileSystemInfos());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    public static async Task MissingBucketIsBucketNotFoundForEveryRead()
    {
        var missing = Storage.Bucket("missing");

        var download = await Assert.ThrowsAsync<BucketNotFoundException>(() => missing.DownloadBytesAsync("any-key"));
        await Assert.ThrowsAsync<BucketNotFoundException>(() => missing.DownloadAsync("any-key", new MemoryStream()));
        await Assert.ThrowsAsync<BucketNotFoundException>(() => missing.GetInfoAsync("any-key"));
        await Assert.ThrowsAsync<BucketNotFoundException>(() => missing.ExistsAsync("any-key"));
        await Assert.ThrowsAsync<BucketNotFoundException>(() => missing.DeleteAsync("any-key"));
        await Assert.ThrowsAsync<BucketNotFoundException>(() => missing.CopyAsync("any-key", "other-key"));
        await Assert.ThrowsAsync<BucketNotFoundException>(async () =>
        {
            await foreach (var entry in missing.ListAsync())
            {
                Assert.Fail($"listed {entry.Key} in a bucket that does not exist");
            }
        });

        Assert.Equal("missing", download.Bucket);
    }

    public static async Task WritingIntoAMissingBucketFailsOnACloudAndMakesItsFolderLocally()
    {
        var media = Storage.Bucket("media");
        var unprovisioned = Storage.Bucket("unprovisioned");
        var key = Prefix() + "k.txt";
        await media.UploadAsync(key, Bytes(3));

        if (Provider == "local")
        {
            // The local provider's only infrastructure is a folder: a write makes it (README: differences).
            await media.CopyToAsync(key, unprovisioned, "copied.txt");
            Assert.True(await unprovisioned.ExistsAsync("copied.txt"));
            await unprovisioned.DeleteAsync("copied.txt");
            return;
        }

        var upload = await Assert.ThrowsAsync<BucketNotFoundException>(() => unprovisioned.UploadAsync("new.txt", Bytes(1)));
        var into = await Assert.ThrowsAsync<BucketNotFoundException>(() => media.CopyToAsync(key, unprovisioned, "copied.txt"));
        Assert.Equal("unprovisioned", upload.Bucket);
        Assert.Equal("unprovisioned", into.Bucket);
        Assert.Contains("'unprovisioned'", into.Message);
    }

    public static async Task KeysInfrarDoesNotAcceptAreRefusedOnEveryOperation()
    {
        var media = Storage.Bucket("media");
        string[] refused = ["", "folder/", "/absolute", "a//b", "a/../b", "./a", "back\\slash", "tab\there", "lone\ud800surrogate", new string('k', 1025)];
        foreach (var key in refused)
        {
            Assert.Equal("key", (await Assert.ThrowsAsync<ArgumentException>(() => media.UploadAsync(key, Bytes(1)))).ParamName);
            Assert.Equal("key", (await Assert.ThrowsAsync<ArgumentException>(() => media.DownloadBytesAsync(key))).ParamName);
            Assert.Equal("key", (await Assert.ThrowsAsync<ArgumentException>(() => media.GetInfoAsync(key))).ParamName);
            Assert.Equal("key", (await Assert.ThrowsAsync<ArgumentException>(() => media.ExistsAsync(key))).ParamName);
            Assert.Equal("key", (await Assert.ThrowsAsync<ArgumentException>(() => media.DeleteAsync(key))).ParamName);
            Assert.Equal("key", (await Assert.ThrowsAsync<ArgumentException>(() => media.GetDownloadUrlAsync(key, TimeSpan.FromMinutes(1)))).ParamName);
            Assert.Equal("sourceKey", (await Assert.ThrowsAsync<ArgumentException>(() => media.CopyAsync(key, "fine.txt"))).ParamName);
            Assert.Equal("destinationKey", (await Assert.ThrowsAsync<ArgumentException>(() => media.CopyAsync("fine.txt", key))).ParamName);
        }

        await foreach (var entry in media.ListAsync("folder/"))
        {
            Assert.Fail($"nothing was written, yet {entry.Key} is listed");
        }
    }

    public static async Task UploadReadsFromTheStreamsPositionAndLeavesItOpen()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "positioned.bin";
        var content = Bytes(1000);
        var stream = new MemoryStream(content) { Position = 100 };

        await media.UploadAsync(key, stream);

        Assert.Equal(content[100..], await media.DownloadBytesAsync(key));
        Assert.True(stream.CanRead, "the caller's stream is still open");
        stream.Position = 0;
        Assert.Equal(content[0], (byte)stream.ReadByte());
    }

    public static async Task LargeObjectsRoundTripByteForByte()
    {
        // Larger than the chunks providers' libraries split transfers into (Cloud Storage's resumable upload and
        // ranged download: 10 MiB), with an odd tail, from a stream that cannot seek.
        var media = Storage.Bucket("media");
        var key = Prefix() + "large.bin";
        var content = Bytes(24 * 1024 * 1024 + 7);
        using var pipe = new ForwardOnlyStream(content);
        await media.UploadAsync(key, pipe);

        var copy = new MemoryStream();
        await media.DownloadAsync(key, copy);
        Assert.True(content.AsSpan().SequenceEqual(copy.ToArray()), "the object read back is the one written");
        Assert.Equal(content.LongLength, (await media.GetInfoAsync(key)).Size);
    }

    public static async Task UploadTakesAStreamThatCannotSeek()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "piped.bin";
        var content = Bytes(300_000);
        using var pipe = new ForwardOnlyStream(content);

        await media.UploadAsync(key, pipe);

        Assert.Equal(content, await media.DownloadBytesAsync(key));
        Assert.False(pipe.Disposed, "the caller's stream is not disposed");
    }

    public static async Task DownloadWritesAtTheDestinationsPositionAndLeavesItOpen()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "appended.txt";
        await media.UploadAsync(key, Encoding.UTF8.GetBytes("world"));
        var destination = new MemoryStream();
        destination.Write(Encoding.UTF8.GetBytes("hello "));

        await media.DownloadAsync(key, destination);

        Assert.Equal("hello world", Encoding.UTF8.GetString(destination.ToArray()));
        Assert.True(destination.CanWrite, "the caller's stream is still open");
    }

    public static async Task ListingPagesPastAThousandObjectsWithAndWithoutADelimiter()
    {
        var media = Storage.Bucket("media");
        var prefix = Prefix();
        const int folders = 1005;
        var keys = Enumerable.Range(0, folders).Select(i => $"{prefix}{i:D4}/x.txt").Concat(new[] { "a.txt", "z.txt" }.Select(k => prefix + k)).ToList();
        using (var gate = new System.Threading.SemaphoreSlim(16))
        {
            await Task.WhenAll(keys.Select(async key =>
            {
                await gate.WaitAsync();
                try
                {
                    await media.UploadAsync(key, Bytes(1));
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        var all = new List<ListEntry>();
        await foreach (var entry in media.ListAsync(prefix))
        {
            all.Add(entry);
        }

        var folded = new List<ListEntry>();
        await foreach (var entry in media.ListAsync(prefix, new ListOptions { Delimiter = "/" }))
        {
            folded.Add(entry);
        }

        Assert.Equal(keys.Order(StringComparer.Ordinal), all.Select(e => e.Key));
        Assert.Equal(
            Enumerable.Range(0, folders).Select(i => ($"{prefix}{i:D4}/", true)).Concat([(prefix + "a.txt", false), (prefix + "z.txt", false)]).OrderBy(e => e.Item1, StringComparer.Ordinal),
            folded.Select(e => (e.Key, e.IsPrefix)));
    }

    public static async Task DeleteRemovesAndIsIdempotent()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "doomed.txt";
        await media.UploadAsync(key, Bytes(3));

        await media.DeleteAsync(key);
        await media.DeleteAsync(key);

        Assert.False(await media.ExistsAsync(key));
    }

    public static async Task ListByPrefixReturnsEveryObjectInKeyOrder()
    {
        var media = Storage.Bucket("media");
        var prefix = Prefix();
        string[] keys = ["b/2.txt", "a.txt", "b/1.txt", "c/d/e.txt", "b/3.txt", "f.txt", "b/10.txt"];
        foreach (var key in keys)
        {
            await media.UploadAsync(prefix + key, Encoding.UTF8.GetBytes(key));
        }

        await media.UploadAsync(Prefix() + "elsewhere.txt", Bytes(1));

        var listed = new List<ListEntry>();
        await foreach (var entry in media.ListAsync(prefix))
        {
            listed.Add(entry);
        }

        Assert.Equal(keys.Select(k => prefix + k).Order(StringComparer.Ordinal), listed.Select(e => e.Key));
        Assert.All(listed, e => Assert.False(e.IsPrefix));
        Assert.All(listed, e => Assert.Equal(Encoding.UTF8.GetByteCount(e.Key[prefix.Length..]), e.Size));
        Assert.All(listed, e => Assert.NotNull(e.LastModified));
    }

    public static async Task ListWithDelimiterGroupsFolders()
    {
        var media = Storage.Bucket("media");
        var prefix = Prefix();
        foreach (var key in new[] { "2024/jan/1.jpg", "2024/feb/2.jpg", "2024/top.jpg", "2025/mar/3.jpg", "readme.txt" })
        {
            await media.UploadAsync(prefix + key, Bytes(2));
        }

        var top = new List<ListEntry>();
        await foreach (var entry in media.ListAsync(prefix, new ListOptions { Delimiter = "/" }))
        {
            top.Add(entry);
        }

        var year = new List<ListEntry>();
        await foreach (var entry in media.ListAsync(prefix + "2024/", new ListOptions { Delimiter = "/" }))
        {
            year.Add(entry);
        }

        Assert.Equal([(prefix + "2024/", true), (prefix + "2025/", true), (prefix + "readme.txt", false)], top.Select(e => (e.Key, e.IsPrefix)));
        Assert.Equal([(prefix + "2024/feb/", true), (prefix + "2024/jan/", true), (prefix + "2024/top.jpg", false)], year.Select(e => (e.Key, e.IsPrefix)));
    }

    public static async Task CopyWithinBucketKeepsContentTypeAndMetadata()
    {
        var media = Storage.Bucket("media");
        var source = Prefix() + "original.json";
        var target = Prefix() + "copy.json";
        await media.UploadAsync(source, Encoding.UTF8.GetBytes("{\"a\":1}"), new UploadOptions
        {
            ContentType = "application/json",
            Metadata = new Dictionary<string, string> { ["owner"] = "infrar" },
        });

        await media.CopyAsync(source, target);

        var info = await media.GetInfoAsync(target);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(await media.DownloadBytesAsync(target)));
        Assert.Equal("application/json", info.ContentType);
        Assert.Equal("infrar", info.Metadata["owner"]);
        Assert.True(await media.ExistsAsync(source));
    }

    public static async Task CopyBetweenBuckets()
    {
        var media = Storage.Bucket("media");
        var archive = Storage.Bucket("archive");
        var key = Prefix() + "report.csv";
        await media.UploadAsync(key, Encoding.UTF8.GetBytes("a,b\n1,2\n"), new UploadOptions { ContentType = "text/csv" });

        await media.CopyToAsync(key, archive, "archived/" + key);

        Assert.Equal("a,b\n1,2\n", Encoding.UTF8.GetString(await archive.DownloadBytesAsync("archived/" + key)));
        Assert.Equal("text/csv", (await archive.GetInfoAsync("archived/" + key)).ContentType);
    }

    public static async Task SignedReadUrlServesTheContent()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "shared folder/picture 1.png";
        await media.UploadAsync(key, Encoding.UTF8.GetBytes("pixels"), new UploadOptions { ContentType = "image/png" });

        var url = await media.GetDownloadUrlAsync(key, TimeSpan.FromMinutes(10));

        Assert.Equal("pixels", Encoding.UTF8.GetString(await SignedUrl.GetAsync(url)));
    }

    public static async Task SignedWriteUrlAcceptsContent()
    {
        var media = Storage.Bucket("media");
        var key = Prefix() + "uploads/from-browser.txt";

        var url = await media.GetUploadUrlAsync(key, TimeSpan.FromMinutes(10));
        await SignedUrl.PutAsync(url, Encoding.UTF8.GetBytes("sent by a browser"));

        Assert.Equal("sent by a browser", Encoding.UTF8.GetString(await media.DownloadBytesAsync(key)));
    }

    public static async Task KeysWithSpacesAndUnicodeRoundTrip()
    {
        var media = Storage.Bucket("media");
        var prefix = Prefix();
        var key = prefix + "dossier été/naïve file +1 (copy)&more.txt";
        await media.UploadAsync(key, Encoding.UTF8.GetBytes("ünïcode"));

        var listed = new List<string>();
        await foreach (var entry in media.ListAsync(prefix))
        {
            listed.Add(entry.Key);
        }

        Assert.Equal("ünïcode", Encoding.UTF8.GetString(await media.DownloadBytesAsync(key)));
        Assert.Equal([key], listed);
        Assert.Equal(key, (await media.GetInfoAsync(key)).Key);
    }

    /// <summary>The provider this copy of the scenarios was compiled for: the generator records it in the assembly.</summary>
    private static string Provider =>
        System.Reflection.CustomAttributeExtensions.GetCustomAttribute<Infrar.Internal.InfrarBuildAttribute>(typeof(ThisCopy).Assembly)?.Provider ?? "local";

    /// <summary>A type of this copy: naming StorageScenarios would be ambiguous where the test assembly is referenced.</summary>
    private sealed class ThisCopy;

    private static string Prefix() => $"conformance/{Guid.NewGuid():N}/";

    private static byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }
}

/// <summary>A stream that can only be read forward, as a network or pipe stream: no length, no seeking.</summary>
internal sealed class ForwardOnlyStream(byte[] content) : Stream
{
    private readonly MemoryStream _inner = new(content);

    public bool Disposed { get; private set; }

    public override bool CanRead => !Disposed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 7_000));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}

/// <summary>Uses a signed URL as a browser would: over HTTP, or, for the local provider's file: URLs, on disk.</summary>
internal static class SignedUrl
{
    private static readonly HttpClient Http = new();

    public static async Task<byte[]> GetAsync(Uri url) =>
        url.IsFile ? await File.ReadAllBytesAsync(url.LocalPath) : await Http.GetByteArrayAsync(url);

    public static async Task PutAsync(Uri url, byte[] content)
    {
        if (url.IsFile)
        {
            // A local write URL names where the content goes; asking for it creates nothing, so the writer makes the folder.
            Directory.CreateDirectory(Path.GetDirectoryName(url.LocalPath)!);
            await File.WriteAllBytesAsync(url.LocalPath, content);
            return;
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ByteArrayContent(content) };
        // Azure requires the blob type on a SAS upload; S3 and Cloud Storage ignore headers they did not sign.
        request.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var response = await Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"PUT {url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
