using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Infrar.Benchmarks.LocalProvider;

/// <summary>
/// The local provider against plain file I/O of the same bytes in the same kind of folder. A put is measured against
/// the plain write that is as durable as the local provider's (a temporary file flushed to the disk, renamed into
/// place, the folder flushed): that is the baseline. The local provider also takes a commit lock and keeps a metadata
/// sidecar, which is what the ratio pays for; the unflushed plain write shows what durability itself costs.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class LocalProviderBenchmarks
{
    private DirectoryInfo _root = null!;
    private string _plainFolder = null!;
    private Bucket _bucket = null!;
    private byte[] _payload = null!;

    [Params(1_024, 1_048_576)]
    public int Bytes { get; set; }

    // Synchronous: BenchmarkDotNet's in-process toolchain does not await an asynchronous setup.
    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("infrar-local-bench-");
        Environment.SetEnvironmentVariable("INFRAR_LOCAL_ROOT", Path.Combine(_root.FullName, "infrar"));
        Directory.CreateDirectory(Path.Combine(_root.FullName, "infrar", "local-bench"));
        _plainFolder = Directory.CreateDirectory(Path.Combine(_root.FullName, "plain")).FullName;
        _bucket = Storage.Bucket("local-bench");
        _payload = new byte[Bytes];
        new Random(7).NextBytes(_payload);

        PutInfrar().GetAwaiter().GetResult();
        PutPlain().GetAwaiter().GetResult();
        PutPlainDurable().GetAwaiter().GetResult();
        if (!File.ReadAllBytes(Path.Combine(_plainFolder, "durable.bin")).AsSpan().SequenceEqual(_payload))
        {
            throw new InvalidOperationException("The durable plain write did not leave the payload.");
        }
        var stored = GetInfrar().GetAwaiter().GetResult();
        var plain = GetPlain().GetAwaiter().GetResult();
        if (!stored.AsSpan().SequenceEqual(plain))
        {
            throw new InvalidOperationException("The local provider and the plain file hold different bytes.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _root.Delete(recursive: true);

    [Benchmark(Baseline = true, Description = "put, plain file made durable"), BenchmarkCategory("put")]
    public async Task PutPlainDurable()
    {
        var target = Path.Combine(_plainFolder, "durable.bin");
        var temporary = target + ".tmp";
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await file.WriteAsync(_payload);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, target, overwrite: true);
        FlushDirectory(_plainFolder);
    }

    [Benchmark(Description = "put, plain file"), BenchmarkCategory("put")]
    public Task PutPlain() => File.WriteAllBytesAsync(Path.Combine(_plainFolder, "object.bin"), _payload);

    [Benchmark(Description = "put, local provider"), BenchmarkCategory("put")]
    public Task PutInfrar() => _bucket.UploadAsync("object.bin", _payload);

    [Benchmark(Baseline = true, Description = "get, plain file"), BenchmarkCategory("get")]
    public Task<byte[]> GetPlain() => File.ReadAllBytesAsync(Path.Combine(_plainFolder, "object.bin"));

    [Benchmark(Description = "get, local provider"), BenchmarkCategory("get")]
    public Task<byte[]> GetInfrar() => _bucket.DownloadBytesAsync("object.bin");

    /// <summary>fsync of the folder, so the rename into it survives a power cut (as the local store does on Linux).</summary>
    private static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var descriptor = open(directory, 0);
        if (descriptor >= 0)
        {
            fsync(descriptor);
            close(descriptor);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int open(string path, int flags);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int fsync(int descriptor);

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int close(int descriptor);
}
