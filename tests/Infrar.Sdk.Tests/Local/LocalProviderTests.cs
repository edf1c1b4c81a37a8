using System.Security.Cryptography;
using System.Text;
using Infrar.Sdk.Tests.Conformance;
using Xunit;

namespace Infrar.Sdk.Tests.Local;

/// <summary>What the local provider promises beyond the conformance suite: keys stay inside their bucket, and objects are never torn.</summary>
/// <remarks>In the conformance collection because both use the process's one local root (its temporary folder is checked here).</remarks>
[Collection(ConformanceCollection.Name)]
public sealed class LocalProviderTests
{
    [Theory]
    [InlineData("../escape.txt", "'..' segment")]
    [InlineData("photos/../../escape.txt", "'..' segment")]
    [InlineData("/etc/passwd", "absolute path")]
    [InlineData("a\\..\\..\\escape.txt", "backslash")]
    [InlineData("nul\0byte", "NUL")]
    [InlineData("./here.txt", "'.' segment")]
    [InlineData("a//b.txt", "empty segment")]
    [InlineData("folder/", "ends with '/'")]
    [InlineData("", "empty")]
    [InlineData("bell\a.txt", "control character")]
    public async Task Keys_that_could_leave_the_bucket_are_refused_with_the_reason(string key, string reason)
    {
        var bucket = Storage.Bucket("keys");

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => bucket.UploadAsync(key, Encoding.UTF8.GetBytes("x")));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.Equal("key", refused.ParamName);
        Assert.False(Directory.Exists(Path.Combine(TestEnvironment.LocalRoot, "keys")), "a refused key writes nothing, not even the bucket's folder");
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(TestEnvironment.LocalRoot)!, "escape.txt", SearchOption.TopDirectoryOnly));
        await Assert.ThrowsAsync<ArgumentException>(() => bucket.DownloadBytesAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => bucket.DeleteAsync(key));
    }

    [Fact]
    public async Task A_key_longer_than_1024_bytes_is_refused()
    {
        var bucket = Storage.Bucket("keys");
        var key = new string('é', 513);

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => bucket.UploadAsync(key, [1]));

        Assert.Contains("longer than 1024 bytes", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Content_no_sidecar_version_describes_is_not_given_another_writes_metadata()
    {
        // As after a file put there by hand: new content beside a sidecar of other writes.
        var bucket = Storage.Bucket("atomic");
        var key = $"{Guid.NewGuid():N}/report.pdf";
        await bucket.UploadAsync(key, Encoding.UTF8.GetBytes("old"), new UploadOptions { ContentType = "application/pdf", Metadata = new Dictionary<string, string> { ["v"] = "1" } });
        var written = await bucket.GetInfoAsync(key);
        var content = Path.Combine(TestEnvironment.LocalRoot, "atomic", key);
        await File.WriteAllTextAsync(content, "new!");

        var info = await bucket.GetInfoAsync(key);

        Assert.Equal("application/octet-stream", info.ContentType);
        Assert.Empty(info.Metadata);
        Assert.Equal(4, info.Size);
        // Its own ETag, from the file's write time and size, the same on every read until the file changes.
        Assert.NotEqual(written.ETag, info.ETag);
        Assert.Equal(info.ETag, (await bucket.GetInfoAsync(key)).ETag);
        Assert.Equal($"\"{File.GetLastWriteTimeUtc(content).Ticks:x}-4\"", info.ETag);
    }

    [Fact]
    public async Task Every_write_gets_a_new_etag_even_of_the_same_bytes_and_a_copy_its_own()
    {
        var bucket = Storage.Bucket("etags");
        var key = $"{Guid.NewGuid():N}.txt";
        await bucket.UploadAsync(key, "same"u8.ToArray());
        var first = await bucket.GetInfoAsync(key);
        await bucket.UploadAsync(key, "same"u8.ToArray());
        var second = await bucket.GetInfoAsync(key);
        await bucket.CopyAsync(key, key + ".copy");
        var copy = await bucket.GetInfoAsync(key + ".copy");

        Assert.Equal(3, new[] { first.ETag, second.ETag, copy.ETag }.Distinct().Count());
        Assert.All(new[] { first, second, copy }, info => Assert.Matches("^\"[0-9a-f]+-4\"$", info.ETag));
    }

    [Fact]
    public async Task Keys_whose_paths_could_share_a_sidecar_keep_their_own_metadata()
    {
        var bucket = Storage.Bucket("sidecars");
        var prefix = $"{Guid.NewGuid():N}/";
        await bucket.UploadAsync(prefix + "k", [1], new UploadOptions { ContentType = "text/k" });
        await bucket.UploadAsync(prefix + "k.json/x", [2], new UploadOptions { ContentType = "text/k-json-x" });

        Assert.Equal("text/k", (await bucket.GetInfoAsync(prefix + "k")).ContentType);
        Assert.Equal("text/k-json-x", (await bucket.GetInfoAsync(prefix + "k.json/x")).ContentType);
    }

    [Fact]
    public async Task A_signed_url_names_exactly_its_object_and_creates_nothing()
    {
        var bucket = Storage.Bucket("signed");
        var prefix = $"{Guid.NewGuid():N}/";
        await bucket.UploadAsync(prefix + "%2e%2e/victim/secret.txt", Encoding.UTF8.GetBytes("encoded dots"));
        await bucket.UploadAsync(prefix + "x", Encoding.UTF8.GetBytes("x"));
        await bucket.UploadAsync(prefix + "x ", Encoding.UTF8.GetBytes("x and a space"));

        var dots = await bucket.GetDownloadUrlAsync(prefix + "%2e%2e/victim/secret.txt", TimeSpan.FromMinutes(1));
        var spaced = await bucket.GetDownloadUrlAsync(prefix + "x ", TimeSpan.FromMinutes(1));
        var upload = await bucket.GetUploadUrlAsync(prefix + "not/yet/there.txt", TimeSpan.FromMinutes(1));

        Assert.Equal(Path.Combine(TestEnvironment.LocalRoot, "signed", prefix + "%2e%2e", "victim", "secret.txt"), dots.LocalPath);
        Assert.Equal("encoded dots", await File.ReadAllTextAsync(dots.LocalPath));
        Assert.Equal("x and a space", await File.ReadAllTextAsync(spaced.LocalPath));
        Assert.Equal(Path.Combine(TestEnvironment.LocalRoot, "signed", prefix + "not", "yet", "there.txt"), upload.LocalPath);
        Assert.False(Directory.Exists(Path.Combine(TestEnvironment.LocalRoot, "signed", prefix + "not")), "asking for a URL creates no folder");
    }

    [Fact]
    public async Task A_key_part_too_long_for_a_file_name_is_an_Infrar_error_before_anything_is_written()
    {
        var bucket = Storage.Bucket("long-names");
        var key = $"{Guid.NewGuid():N}/" + new string('n', 300) + "/x.txt";

        var refused = await Assert.ThrowsAsync<StorageException>(() => bucket.UploadAsync(key, [1]));

        Assert.Equal("KeyTooLong", refused.ProviderErrorCode);
        Assert.False(Directory.Exists(Path.Combine(TestEnvironment.LocalRoot, "long-names")));
    }

    [Fact]
    public async Task A_link_planted_in_a_bucket_is_never_followed_out_of_it()
    {
        var bucket = Storage.Bucket("links");
        var prefix = $"{Guid.NewGuid():N}/";
        await bucket.UploadAsync(prefix + "inside.txt", [1]);
        var outside = Directory.CreateTempSubdirectory("infrar-outside-").FullName;
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "not yours");
        Directory.CreateSymbolicLink(Path.Combine(TestEnvironment.LocalRoot, "links", prefix + "door"), outside);
        try
        {
            var read = await Assert.ThrowsAsync<StorageException>(() => bucket.DownloadBytesAsync(prefix + "door/secret.txt"));
            var write = await Assert.ThrowsAsync<StorageException>(() => bucket.UploadAsync(prefix + "door/planted.txt", [2]));
            var listed = new List<string>();
            await foreach (var entry in bucket.ListAsync(prefix))
            {
                listed.Add(entry.Key);
            }

            Assert.Equal("SymbolicLink", read.ProviderErrorCode);
            Assert.Equal("SymbolicLink", write.ProviderErrorCode);
            Assert.Equal([prefix + "inside.txt"], listed);
            Assert.Equal(["secret.txt"], Directory.GetFiles(outside).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    public async Task A_failed_upload_leaves_the_previous_object_whole()
    {
        var bucket = Storage.Bucket("atomic");
        var key = $"{Guid.NewGuid():N}.bin";
        await bucket.UploadAsync(key, Encoding.UTF8.GetBytes("intact"), new UploadOptions { ContentType = "text/plain" });

        await Assert.ThrowsAsync<IOException>(() => bucket.UploadAsync(key, new FailingStream(bytesBeforeFailure: 100_000)));

        Assert.Equal("intact", Encoding.UTF8.GetString(await bucket.DownloadBytesAsync(key)));
        Assert.Equal("text/plain", (await bucket.GetInfoAsync(key)).ContentType);
        Assert.Empty(Directory.GetFiles(Path.Combine(TestEnvironment.LocalRoot, ".infrar", "tmp")));
    }

    [Fact]
    public async Task Concurrent_writers_of_one_key_leave_content_and_metadata_from_the_same_write()
    {
        var bucket = Storage.Bucket("concurrency");
        var key = $"{Guid.NewGuid():N}/shared.txt";

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() => bucket.UploadAsync(
            key,
            Encoding.UTF8.GetBytes(new string((char)('a' + i), 1000 + i)),
            new UploadOptions { ContentType = $"text/writer-{i}" }))));

        var content = Encoding.UTF8.GetString(await bucket.DownloadBytesAsync(key));
        var info = await bucket.GetInfoAsync(key);
        var writer = content[0] - 'a';
        Assert.Equal(new string(content[0], 1000 + writer), content);
        Assert.Equal($"text/writer-{writer}", info.ContentType);
        Assert.Equal(1000 + writer, info.Size);
    }

    [Fact]
    public async Task Readers_never_see_a_partly_written_object()
    {
        var bucket = Storage.Bucket("concurrency");
        var key = $"{Guid.NewGuid():N}.bin";
        await bucket.UploadAsync(key, Enumerable.Repeat((byte)0, 256 * 1024).ToArray());
        using var writing = new CancellationTokenSource();

        var writers = Task.Run(async () =>
        {
            for (byte generation = 1; generation <= 30; generation++)
            {
                await bucket.UploadAsync(key, Enumerable.Repeat(generation, 256 * 1024).ToArray());
            }
        });
        var torn = 0;
        var reads = 0;
        while (!writers.IsCompleted)
        {
            var bytes = await bucket.DownloadBytesAsync(key);
            reads++;
            if (bytes.Length != 256 * 1024 || bytes.Any(b => b != bytes[0]))
            {
                torn++;
            }
        }

        await writers;
        Assert.True(reads > 0);
        Assert.Equal(0, torn);
    }

    [Fact]
    public async Task Only_one_of_many_concurrent_if_not_exists_uploads_succeeds()
    {
        var bucket = Storage.Bucket("concurrency");
        var key = $"{Guid.NewGuid():N}.lock";

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            try
            {
                await bucket.UploadAsync(key, Encoding.UTF8.GetBytes($"owner-{i}"), new UploadOptions { IfNotExists = true });
                return i;
            }
            catch (ObjectAlreadyExistsException)
            {
                return -1;
            }
        })));

        var winner = Assert.Single(outcomes, o => o >= 0);
        Assert.Equal($"owner-{winner}", Encoding.UTF8.GetString(await bucket.DownloadBytesAsync(key)));
    }

    [Fact]
    public async Task A_key_that_is_also_a_folder_of_other_keys_is_refused_clearly()
    {
        var bucket = Storage.Bucket("conflicts");
        var prefix = $"{Guid.NewGuid():N}/";
        await bucket.UploadAsync(prefix + "a/b.txt", [1]);
        await bucket.UploadAsync(prefix + "c", [1]);

        var folder = await Assert.ThrowsAsync<StorageException>(() => bucket.UploadAsync(prefix + "a", [2]));
        var below = await Assert.ThrowsAsync<StorageException>(() => bucket.UploadAsync(prefix + "c/d.txt", [2]));

        Assert.Equal("KeyConflict", folder.ProviderErrorCode);
        Assert.Equal("KeyConflict", below.ProviderErrorCode);
        Assert.Contains(prefix + "a", folder.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_follows_a_prefix_with_two_dots_in_a_folder_name_but_never_out_of_the_bucket()
    {
        var bucket = Storage.Bucket("listing");
        var prefix = $"{Guid.NewGuid():N}/";
        await bucket.UploadAsync(prefix + "v1..2/notes.txt", [1]);
        Directory.CreateDirectory(Path.Combine(TestEnvironment.LocalRoot, "listing-neighbour"));
        File.WriteAllBytes(Path.Combine(TestEnvironment.LocalRoot, "listing-neighbour", "secret.txt"), [2]);

        var dotted = new List<string>();
        await foreach (var entry in bucket.ListAsync(prefix + "v1..2/"))
        {
            dotted.Add(entry.Key);
        }

        var escaping = new List<string>();
        await foreach (var entry in bucket.ListAsync("../listing-neighbour/"))
        {
            escaping.Add(entry.Key);
        }

        Assert.Equal([prefix + "v1..2/notes.txt"], dotted);
        Assert.Empty(escaping);
    }

    [Fact]
    public void The_physical_name_comes_from_INFRAR_BUCKET_NAME_with_other_characters_as_underscores()
    {
        Environment.SetEnvironmentVariable("INFRAR_BUCKET_USER_PHOTOS_2", "prod-user-photos-7f3a");

        Assert.Equal("prod-user-photos-7f3a", Storage.Bucket("user-photos.2").PhysicalName);
        Assert.Equal("not-configured", Storage.Bucket("not-configured").PhysicalName);
    }

    [Fact]
    public async Task A_physical_name_that_is_not_a_folder_name_is_refused()
    {
        Environment.SetEnvironmentVariable("INFRAR_BUCKET_TRAVERSAL", "../outside");

        var refused = await Assert.ThrowsAsync<StorageException>(() => Storage.Bucket("traversal").UploadAsync("a.txt", [1]));

        Assert.Equal("InvalidBucketName", refused.ProviderErrorCode);
        Assert.False(Directory.Exists(Path.Combine(TestEnvironment.LocalRoot, "..", "outside")));
    }

    private sealed class FailingStream(int bytesBeforeFailure) : Stream
    {
        private int _given;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _given; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_given >= bytesBeforeFailure)
            {
                throw new IOException("the client went away");
            }

            var n = Math.Min(count, bytesBeforeFailure - _given);
            Array.Fill(buffer, (byte)'z', offset, n);
            _given += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
