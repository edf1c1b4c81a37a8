using System.Reflection;
using Infrar.Testing;
using Xunit;

namespace Infrar.Sdk.Tests.Conformance;

/// <summary>
/// What gcp gains from calling Google.Cloud.Storage.V1 rather than the JSON API by hand: a read that meets an
/// overloaded service is retried, and bytes damaged on the way are refused in either direction: never handed to the
/// app, never stored. The contract server injects each fault; the rewritten code is the one the generator writes for gcp.
/// </summary>
[Collection(ConformanceCollection.Name)]
public sealed class CloudStorageLibraryTests(ConformanceFixture fixture)
{
    private const string Probe = """
        using System.Threading.Tasks;
        using Infrar;

        namespace Probe;

        public static class Calls
        {
            public static Task UploadAsync(string key, byte[] content) => Storage.Bucket("media").UploadAsync(key, content);

            public static Task<byte[]> DownloadBytesAsync(string key) => Storage.Bucket("media").DownloadBytesAsync(key);

            public static Task DownloadFileAsync(string key, string path) => Storage.Bucket("media").DownloadFileAsync(key, path);

            public static Task<ObjectInfo> GetInfoAsync(string key) => Storage.Bucket("media").GetInfoAsync(key);
        }
        """;

    private static readonly Lazy<Type> Calls = new(() =>
    {
        var result = GeneratorHarness.Run("gcp", [("Calls.cs", Probe)], assemblyName: "Probe.CloudStorageLibrary");
        Assert.Empty(result.Problems);
        return GeneratorHarness.EmitAndLoad(result.Compilation).GetType("Probe.Calls", throwOnError: true)!;
    });

    [Fact]
    public async Task A_metadata_read_that_meets_a_503_is_retried_and_succeeds()
    {
        // Google's library retries the idempotent JSON API calls (metadata, listings) with back-off; it does not retry
        // a download that fails (the README says so).
        var key = Key();
        await Call("UploadAsync", key, new byte[] { 1, 2, 3 });
        var served = fixture.CloudStorage.FailuresServed;

        fixture.CloudStorage.FailNext("GET", 503, 1);
        var info = await Call<ObjectInfo>("GetInfoAsync", key);

        Assert.Equal(3, info.Size);
        Assert.Equal(served + 1, fixture.CloudStorage.FailuresServed);
    }

    [Fact]
    public async Task A_download_damaged_on_the_way_fails_and_leaves_no_file()
    {
        var key = Key();
        await Call("UploadAsync", key, new byte[] { 10, 20, 30, 40 });
        var folder = Directory.CreateTempSubdirectory("infrar-gcp-hash-");
        try
        {
            var target = Path.Combine(folder.FullName, "copy.bin");
            fixture.CloudStorage.CorruptNextDownload();

            var e = await Assert.ThrowsAnyAsync<IOException>(() => Call("DownloadFileAsync", key, target));

            Assert.Contains("hash", e.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(Directory.GetFileSystemEntries(folder.FullName));
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        fixture.CloudStorage.CorruptNextDownload();
        await Assert.ThrowsAnyAsync<IOException>(() => Call<byte[]>("DownloadBytesAsync", key));
    }

    [Fact]
    public async Task An_upload_damaged_on_the_way_is_refused_and_not_stored()
    {
        // The library sends the content's CRC32C in X-Goog-Hash with the last chunk; Cloud Storage checks it.
        var key = Key();
        fixture.CloudStorage.CorruptNextUpload();

        var e = await Assert.ThrowsAsync<StorageException>(() => Call("UploadAsync", key, new byte[] { 5, 6, 7, 8 }));

        Assert.Contains("crc32c", e.Message, StringComparison.Ordinal);
        Assert.False(fixture.CloudStorage.Holds(ConformanceFixture.MediaBucket, key), "nothing was stored");
        Assert.Empty(fixture.CloudStorage.Violations);
    }

    private static string Key() => $"library/{Guid.NewGuid():N}.bin";

    private static Task Call(string method, params object[] arguments) => Call<object?>(method, arguments);

    private static async Task<T> Call<T>(string method, params object[] arguments)
    {
        try
        {
            var task = (Task)Calls.Value.GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.Invoke(null, arguments)!;
            await task;
            return task.GetType().GetProperty("Result") is { } result && result.PropertyType != typeof(void) && result.GetValue(task) is T value ? value : default!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
