using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Infrar.Benchmarks.Generator;

/// <summary>
/// Infrar's generator beside two that the .NET SDK ships, in one run: each over a project with 1,000 of its call sites
/// in 500 files, a full run on a fresh driver (the baseline of its row group) and the re-run after an edit to a file
/// none of them looks at, as an IDE makes after a keystroke. Ratio is incremental over full for each generator.
/// </summary>
[MemoryDiagnoser]
public class AnchorBenchmarks
{
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private Func<GeneratorDriver> _newDriver = null!;
    private GeneratorDriver _warmDriver = null!;

    [Params(AnchorProjects.Infrar, AnchorProjects.ConfigurationBinder, AnchorProjects.SystemTextJson)]
    public string Generator { get; set; } = AnchorProjects.Infrar;

    [GlobalSetup]
    public void Setup()
    {
        (_compilation, _edited, _newDriver) = AnchorProjects.Create(Generator, callSites: 1_000, files: 500);
        _warmDriver = _newDriver().RunGenerators(_compilation);
        var result = _warmDriver.GetRunResult();
        var failure = result.Results.Select(r => r.Exception).FirstOrDefault(e => e is not null);
        if (failure is not null || result.GeneratedTrees.Length == 0)
        {
            throw new InvalidOperationException($"{Generator} generated nothing for its project.", failure);
        }
    }

    [Benchmark(Baseline = true, Description = "full run")]
    public GeneratorDriver FullRun() => _newDriver().RunGenerators(_compilation);

    [Benchmark(Description = "incremental, unrelated edit")]
    public GeneratorDriver IncrementalRun() => _warmDriver.RunGenerators(_edited);
}
