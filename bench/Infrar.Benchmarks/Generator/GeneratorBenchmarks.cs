using BenchmarkDotNet.Attributes;
using Infrar.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Infrar.Benchmarks.Generator;

/// <summary>
/// The generator over synthetic projects, for aws: a full run on a fresh driver, and the incremental re-run an IDE
/// makes after a keystroke in a file with no Infrar call. The CachedSteps column is the share of the pipeline's step
/// outputs that the incremental run found Cached or Unchanged.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private CSharpCompilation _compilation = null!;
    private CSharpCompilation _edited = null!;
    private GeneratorDriver _warmDriver = null!;

    [Params(100, 1_000, 5_000)]
    public int CallSites { get; set; }

    [Params(50, 500)]
    public int Files { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_compilation, _edited) = Compilations(CallSites, Files);
        _warmDriver = GeneratorHarness.CreateDriver("aws").RunGenerators(_compilation);
        var generated = _warmDriver.GetRunResult().GeneratedTrees.Length;
        if (generated == 0)
        {
            throw new InvalidOperationException("The generator produced nothing for the synthetic project.");
        }
    }

    [Benchmark(Description = "full run")]
    public GeneratorDriver FullRun() => GeneratorHarness.CreateDriver("aws").RunGenerators(_compilation);

    [Benchmark(Description = "incremental, unrelated edit")]
    public GeneratorDriver IncrementalRun() => _warmDriver.RunGenerators(_edited);

    /// <summary>The synthetic project's compilation, and the same after an edit to its unrelated file.</summary>
    public static (CSharpCompilation Original, CSharpCompilation Edited) Compilations(int callSites, int files)
    {
        var compilation = GeneratorHarness.CreateCompilation(SyntheticProject.Create(callSites, files), "Synthetic");
        var unrelated = compilation.SyntaxTrees.Single(tree => tree.FilePath == SyntheticProject.UnrelatedPath);
        var edited = compilation.ReplaceSyntaxTree(unrelated, unrelated.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(SyntheticProject.Unrelated(1))));
        return (compilation, edited);
    }

    /// <summary>Runs the generator, then again after the unrelated edit, and counts how the second run's step outputs were reused.</summary>
    public static (int Reused, int Total) MeasureCaching(int callSites, int files)
    {
        var (compilation, edited) = Compilations(callSites, files);
        var driver = GeneratorHarness.CreateDriver("aws", trackSteps: true).RunGenerators(compilation).RunGenerators(edited);
        var outputs = driver.GetRunResult().Results
            .SelectMany(result => result.TrackedSteps.Values)
            .SelectMany(steps => steps)
            .SelectMany(step => step.Outputs)
            .ToList();
        var reused = outputs.Count(output => output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
        return (reused, outputs.Count);
    }
}
