using System.Collections.Concurrent;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Infrar.Benchmarks.Generator;

/// <summary>The share of step outputs the incremental run reused, measured once per project size in the host process.</summary>
public sealed class CachedStepsColumn : IColumn
{
    private readonly ConcurrentDictionary<(int, int), string> _measured = new();

    public string Id => nameof(CachedStepsColumn);

    public string ColumnName => "CachedSteps";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => false;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Step outputs of the incremental run that were Cached or Unchanged, of all step outputs";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Descriptor.Type == typeof(GeneratorBenchmarks));

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (benchmarkCase.Descriptor.WorkloadMethod.Name != nameof(GeneratorBenchmarks.IncrementalRun))
        {
            return "-";
        }

        var callSites = (int)benchmarkCase.Parameters[nameof(GeneratorBenchmarks.CallSites)];
        var files = (int)benchmarkCase.Parameters[nameof(GeneratorBenchmarks.Files)];
        return _measured.GetOrAdd((callSites, files), key =>
        {
            var (reused, total) = GeneratorBenchmarks.MeasureCaching(key.Item1, key.Item2);
            return $"{reused}/{total} ({100.0 * reused / total:F1}%)";
        });
    }
}
