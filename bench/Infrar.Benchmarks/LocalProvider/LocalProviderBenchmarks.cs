using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Infrar.Benchmarks.LocalProvider;

/// <summary>
/// The local provider against plain file I/O of the same bytes in the same kind of folder. The local provider also
/// writes atomically (a temporary file, then a rename), takes a commit lock and keeps a metadata sidecar, which is
/// what the ratio pays for.
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
        var stored = GetInfrar().GetAwaiter().GetResult();
        var plain = GetPlain().GetAwaiter().GetResult();
        if (!stored.AsSpan().SequenceEqual(plain))
        {
            throw new InvalidOperationException("The local provider and the plain file hold different bytes.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _root.Delete(recursive: true);

    [Benchmark(Baseline = true, Description = "put, plain file"), BenchmarkCategory("put")]
    public Task PutPlain() => File.WriteAllBytesAsync(Path.Combine(_plainFolder, "object.bin"), _payload);

    [Benchmark(Description = "put, local provider"), BenchmarkCategory("put")]
    public Task PutInfrar() => _bucket.UploadAsync("object.bin", _payload);

    [Benchmark(Baseline = true, Description = "get, plain file"), BenchmarkCategory("get")]
    public Task<byte[]> GetPlain() => File.ReadAllBytesAsync(Path.Combine(_plainFolder, "object.bin"));

    [Benchmark(Description = "get, local provider"), BenchmarkCategory("get")]
    public Task<byte[]> GetInfrar() => _bucket.DownloadBytesAsync("object.bin");
}
