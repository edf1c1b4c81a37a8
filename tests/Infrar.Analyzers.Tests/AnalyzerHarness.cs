using System.Collections.Immutable;
using Infrar.Analyzers;
using Infrar.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Infrar.Analyzers.Tests;

/// <summary>Runs analyzers and code fixes the way the IDE and the compiler do, over the SDK and every provider's SDK.</summary>
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

    /// <summary>The document after the first fix of the first diagnostic, or after Fix All in the document.</summary>
    public static async Task<string> FixAsync(string source, DiagnosticAnalyzer analyzer, CodeFixProvider fix, bool fixAll = false, string provider = "local")
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(),
            VersionStamp.Default,
            "App",
            "App",
            LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: GeneratorHarness.References));
        var document = workspace.AddDocument(project.Id, "App.cs", SourceText.From(source));
        var compilation = (await document.Project.GetCompilationAsync())!;
        var diagnostics = (await AnalyzeAsync(compilation, provider, analyzer)).Where(d => fix.FixableDiagnosticIds.Contains(d.Id)).ToList();
        Assert.NotEmpty(diagnostics);

        var actions = new List<CodeAction>();
        await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostics[0], (a, _) => actions.Add(a), CancellationToken.None));
        var action = actions.FirstOrDefault();
        if (fixAll && action is not null)
        {
            var context = new FixAllContext(document, fix, FixAllScope.Document, action.EquivalenceKey, fix.FixableDiagnosticIds, new Diagnostics(diagnostics), CancellationToken.None);
            action = await fix.GetFixAllProvider()!.GetFixAsync(context);
        }

        Assert.NotNull(action);
        var operations = await action!.GetOperationsAsync(CancellationToken.None);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;
        return (await changed.GetTextAsync()).ToString();
    }

    private sealed class Diagnostics(IReadOnlyList<Diagnostic> all) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(all);

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(all);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>([]);
    }
}
