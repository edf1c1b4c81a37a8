using System.Collections.Immutable;
using System.Linq;
using Infrar.Analyzers.Naming;
using Infrar.Generators.Catalog;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Analyzers.Rules;

/// <summary>INFRAR0102: a bucket or queue name some provider refuses, checked against every provider at once so code stays portable.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InvalidNameAnalyzer : InfrarAnalyzer
{
    /// <summary>The property carrying a name every provider accepts, for the code fix.</summary>
    public const string SuggestedName = nameof(SuggestedName);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.InvalidName];

    /// <summary>The name as a C# literal would show it: a newline or other control character as an escape, never raw.</summary>
    private static string Printable(string name) =>
        string.Concat(name.Select(c => c switch
        {
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            _ when char.IsControl(c) || c is '\u2028' or '\u2029' => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        }));

    internal override void Start(CompilationStartAnalysisContext start, InfrarSymbols symbols)
    {
        var catalog = EmbeddedCatalog.Value;
        var queues = start.Compilation.GetTypeByMetadataName("Infrar.Queues");
        OnInvocation(start, (operation, invocation) =>
            {
                var (kind, names) = symbols.IsBucketDeclaration(invocation.TargetMethod)
                    ? ("Bucket", ProviderNames.Buckets)
                    : invocation.TargetMethod.Name == "Queue" && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, queues)
                        ? ("Queue", ProviderNames.Queues)
                        : (null, null);
                if (names is null
                    || invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0) is not { Value.ConstantValue: { HasValue: true, Value: string name } } argument)
                {
                    return;
                }

                var problems = names.Problems(name, catalog);
                if (problems.Count == 0)
                {
                    return;
                }

                operation.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.InvalidName,
                    argument.Syntax.GetLocation(),
                    ImmutableDictionary<string, string?>.Empty.Add(SuggestedName, names.Suggest(name, catalog)),
                    kind,
                    Printable(name),
                    string.Join("; ", problems.Select(p => $"{p.Provider}: {p.Reason}"))));
            });
    }
}
