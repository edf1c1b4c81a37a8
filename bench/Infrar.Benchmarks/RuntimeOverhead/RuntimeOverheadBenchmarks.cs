using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Infrar.Benchmarks.RuntimeOverhead.InMemory;

namespace Infrar.Benchmarks.RuntimeOverhead;

/// <summary>
/// Put 1 KiB, get 1 KiB and list 100 objects, each three ways on the same provider client over the in-memory cloud:
/// (a) hand-written native SDK code, the baseline; (b) the Infrar call as the generator rewrote it; (c) a run-time
/// abstraction. The Ratio column is b/a and c/a within each operation.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class RuntimeOverheadBenchmarks
{
    private const string Key = "photos/2026/11/cat.bin";

    private StorageWay _native = null!;
    private StorageWay _infrar = null!;
    private StorageWay _abstraction = null!;

    [Params("aws", "azure", "gcp")]
    public string Provider { get; set; } = "aws";

    // Synchronous: BenchmarkDotNet's in-process toolchain does not await an asynchronous setup.
    [GlobalSetup]
    public void Setup()
    {
        _native = Ways.Native(Provider);
        _infrar = Ways.Infrar(Provider);
        _abstraction = Ways.Abstraction(Provider);
        foreach (var way in new[] { _native, _infrar, _abstraction })
        {
            Ways.VerifyAsync(Provider, way).GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true, Description = "a native"), BenchmarkCategory("put 1 KiB")]
    public Task PutNative() => _native.Put(Key, InMemoryCloud.Payload);

    [Benchmark(Description = "b infrar"), BenchmarkCategory("put 1 KiB")]
    public Task PutInfrar() => _infrar.Put(Key, InMemoryCloud.Payload);

    [Benchmark(Description = "c abstraction"), BenchmarkCategory("put 1 KiB")]
    public Task PutAbstraction() => _abstraction.Put(Key, InMemoryCloud.Payload);

    [Benchmark(Baseline = true, Description = "a native"), BenchmarkCategory("get 1 KiB")]
    public Task<byte[]> GetNative() => _native.Get(Key);

    [Benchmark(Description = "b infrar"), BenchmarkCategory("get 1 KiB")]
    public Task<byte[]> GetInfrar() => _infrar.Get(Key);

    [Benchmark(Description = "c abstraction"), BenchmarkCategory("get 1 KiB")]
    public Task<byte[]> GetAbstraction() => _abstraction.Get(Key);

    [Benchmark(Baseline = true, Description = "a native"), BenchmarkCategory("list 100")]
    public Task<int> ListNative() => _native.List(InMemoryCloud.ListPrefix);

    [Benchmark(Description = "b infrar"), BenchmarkCategory("list 100")]
    public Task<int> ListInfrar() => _infrar.List(InMemoryCloud.ListPrefix);

    [Benchmark(Description = "c abstraction"), BenchmarkCategory("list 100")]
    public Task<int> ListAbstraction() => _abstraction.List(InMemoryCloud.ListPrefix);
}
