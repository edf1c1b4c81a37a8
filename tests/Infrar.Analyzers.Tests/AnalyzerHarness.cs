using System.Collections.Immutable;
using Infrar.Analyzers;
using Infrar.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Infrar.Analyzers.Tests;

/// <summary>Runs analyzers the way the compiler does, over the SDK and every provider's SDK, and returns what they report.</summary>
internal static class AnalyzerHarness
{
    public static readonly ImmutableArray<DiagnosticAnalyzer> AllAnalyzers = [.. typeof(Descriptors).Assembly.GetTypes()
        .Where(t => typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && !t.IsAbstract)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)];

    /// <summary>The diagnostics of <paramref name="analyzer"/> (all analyzers when null), failing on any analyzer exception (AD0001).</summary>
    public static async Task<IReadOnlyList<Diagnostic>> AnalyzeAsync(string source, string provider = "local", DiagnosticAnalyzer? analyzer = null)
    {
        var compilation = GeneratorHarness.CreateCompilation([("App.cs", source)]);
        return await AnalyzeAsync(compilation, provider, analyzer);
    }

    public static async Task<IReadOnlyList<Diagnostic>> AnalyzeAsync(Compilation compilation, string provider, DiagnosticAnalyzer? analyzer)
    {
        var failures = new List<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([], new ProviderOptions(provider)),
            (exception, failed, _) => failures.Add($"{failed.GetType().Name}: {exception}"),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var diagnostics = await compilation.WithAnalyzers(analyzer is null ? AllAnalyzers : [analyzer], options).GetAnalyzerDiagnosticsAsync();
        Assert.Empty(failures);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        return [.. diagnostics.OrderBy(d => d.Location.SourceSpan.Start)];
    }
}
