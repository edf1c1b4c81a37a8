using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Infrar.Benchmarks.Generator;
using Infrar.Benchmarks.LocalProvider;

// dotnet run -c Release --project bench/Infrar.Benchmarks -- --filter '*'          the full run (see docs/benchmarks.md)
// dotnet bench/Infrar.Benchmarks/bin/Debug/net10.0/Infrar.Benchmarks.dll --smoke   what CI runs: every case once, in process
var smoke = args.Contains("--smoke");
var config = DefaultConfig.Instance
    .AddColumn(new CachedStepsColumn(), new ThroughputColumn())
    .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
if (!smoke)
{
    // Ten measured iterations after three warm-ups, each in its own process: enough for stable ratios, and the
    // whole suite fits in about half an hour on two cores.
    config = config.AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithId("infrar"));
}
else
{
    // One cold invocation of each case, in this process and without an optimized build: it proves that every
    // benchmark still compiles, sets up, verifies its results and runs. It measures nothing.
    config = config
        .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance))
        .WithOptions(ConfigOptions.DisableOptimizationsValidator);
}

var benchmarkArgs = args.Where(a => a != "--smoke").ToArray();
if (smoke && !benchmarkArgs.Contains("--filter"))
{
    benchmarkArgs = [.. benchmarkArgs, "--filter", "*"];
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(benchmarkArgs, config).ToList();
var failed = summaries.SelectMany(s => s.Reports).Where(r => !r.Success).Select(r => r.BenchmarkCase.DisplayInfo).ToList();
if (summaries.Count == 0 || summaries.Any(s => s.HasCriticalValidationErrors) || failed.Count > 0)
{
    Console.Error.WriteLine(failed.Count > 0 ? $"These benchmarks failed: {string.Join(", ", failed)}" : "The benchmarks did not run.");
    return 1;
}

return 0;
