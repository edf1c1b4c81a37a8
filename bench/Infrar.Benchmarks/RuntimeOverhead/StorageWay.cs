namespace Infrar.Benchmarks.RuntimeOverhead;

/// <summary>One way of calling a provider: put bytes, get bytes, and count a listing.</summary>
public sealed record StorageWay(
    string Name,
    Func<string, byte[], Task> Put,
    Func<string, Task<byte[]>> Get,
    Func<string, Task<int>> List);
