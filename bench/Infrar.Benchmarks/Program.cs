using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Infrar.Benchmarks.Generator;
using Infrar.Benchmarks.LocalProvider;
using Infrar.Benchmarks.RuntimeOverhead;

// dotnet run -c Release --project bench/Infrar.Benchmarks -- --filter '*'          the full run (see docs/benchmarks.md)
// dotnet bench/Infrar.Benchmarks/bin/Debug/net10.0/Infrar.Benchmarks.dll --smoke   what CI runs: every case once, in process
var smoke = args.Contains("--smoke");
var benchmarkArgs = args.Where(a => a != "--smoke").ToArray();
if (!benchmarkArgs.Contains("--filter"))
{
    benchmarkArgs = [.. benchmarkArgs, "--filter", "*"];
}

var summaries = new List<BenchmarkDotNet.Reports.Summary>();
foreach (var type in typeof(Program).Assembly.GetTypes().Where(t => t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkAttribute), false))).OrderBy(t => t.Name))
{
    // One class at a time, each with its job; a class the filter leaves out yields no summary.
    summaries.AddRange(BenchmarkSwitcher.FromTypes([type]).Run(benchmarkArgs, ConfigFor(type, smoke)).Where(s => s.BenchmarksCases.Length > 0));
}

var failed = summaries.SelectMany(s => s.Reports).Where(r => !r.Success).Select(r => r.BenchmarkCase.DisplayInfo).ToList();
if (summaries.Count == 0 || summaries.Any(s => s.HasCriticalValidationErrors) || failed.Count > 0)
{
    Console.Error.WriteLine(failed.Count > 0 ? $"These benchmarks failed: {string.Join(", ", failed)}" : "No benchmark ran.");
    return 1;
}

return 0;

// A new configuration for each class: ManualConfig.AddJob adds to the instance it is called on.
static IConfig ConfigFor(Type type, bool smoke)
{
    var config = DefaultConfig.Instance
        .AddColumn(new CachedStepsColumn(), new ThroughputColumn())
        .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared))
        .AddJob(JobFor(type, smoke));

    // Without an optimized build: the smoke run proves that every benchmark still compiles, sets up, verifies its
    // results and runs. It measures nothing.
    return smoke ? config.WithOptions(ConfigOptions.DisableOptimizationsValidator) : config;
}

static Job JobFor(Type type, bool smoke) =>
    smoke
        // One cold invocation of each case, in this process.
        ? Job.Dry.WithToolchain(InProcessEmitToolchain.Instance)
        : type == typeof(RuntimeOverheadBenchmarks)
            // Microseconds apart on a shared two-core machine: two processes of 25 measured iterations each.
            ? Job.Default.WithLaunchCount(2).WithWarmupCount(5).WithIterationCount(25).WithId("runtime")
            // Milliseconds and more: ten iterations after three warm-ups.
            : Job.Default.WithWarmupCount(3).WithIterationCount(10).WithId("build");
