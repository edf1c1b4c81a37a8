using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Linq;
using System.Threading;
using Infrar.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Infrar.Catalog.Tests;

/// <summary>
/// Infrar.CatalogCompiler as a component's build runs it: the catalog's files in, <c>EmbeddedCatalog</c> out, or an
/// error at the catalog file and line that is wrong.
/// </summary>
public sealed class CatalogCompilerTests
{
    private static readonly string Root = Path.Combine(RepositoryRoot.Path, "catalog");

    [Fact]
    public void The_catalog_becomes_EmbeddedCatalog_with_every_provider_s_code()
    {
        var (sources, diagnostics) = Run(CatalogLoaderTests.CatalogFiles());

        Assert.Empty(diagnostics);
        var text = Assert.Single(sources);
        Assert.Contains("internal static class EmbeddedCatalog", text, StringComparison.Ordinal);
        Assert.Contains("AmazonS3Storage.Client.DeleteObjectAsync(bucket.PhysicalName, key, cancellationToken)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mistake_in_the_catalog_fails_the_build_at_its_file_and_line()
    {
        var files = CatalogLoaderTests.CatalogFiles();
        files["providers/azure/storage/Operations.cs"] = files["providers/azure/storage/Operations.cs"].Replace("global::System.Threading.Tasks.Task<bool> ExistsAsync(", "global::System.Threading.Tasks.Task<bool> ExistsAsync(((", StringComparison.Ordinal);

        var (sources, diagnostics) = Run(files);

        Assert.Empty(sources);
        var error = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        var where = error.Location.GetLineSpan();
        Assert.Equal(Path.Combine(Root, "providers", "azure", "storage", "Operations.cs"), where.Path);
        Assert.Equal(files["providers/azure/storage/Operations.cs"].Split('\n').ToList().FindIndex(l => l.Contains("ExistsAsync(((", StringComparison.Ordinal)), where.StartLinePosition.Line);
    }

    private static (List<string> Sources, ImmutableArray<Diagnostic> Diagnostics) Run(Dictionary<string, string> files)
    {
        var texts = files.Select(f => (AdditionalText)new CatalogText(Path.Combine(Root, f.Key.Replace('/', Path.DirectorySeparatorChar)), f.Value)).ToImmutableArray();
        var driver = CSharpGeneratorDriver.Create(
            [new CatalogCompiler.CatalogCompiler().AsSourceGenerator()],
            texts,
            optionsProvider: new Options(new Dictionary<string, string> { ["build_property.InfrarCatalogDir"] = Root + Path.DirectorySeparatorChar }));
        var result = driver.RunGenerators(CSharpCompilation.Create("Component")).GetRunResult();
        return ([.. result.GeneratedTrees.Select(t => t.ToString())], result.Diagnostics);
    }

    private sealed class CatalogText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class Options(Dictionary<string, string> global) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(global);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Values([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Values([]);

        private sealed class Values(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
