using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Infrar.Generators.Parsing;
using Infrar.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Analyzers.Rules;

/// <summary>INFRAR0106: the same bucket declared twice with different options; the infrastructure can have only one.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ConflictingDeclarationAnalyzer : InfrarAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.ConflictingDeclaration];

    internal override void Start(CompilationStartAnalysisContext start, InfrarSymbols symbols)
    {
        var declarations = new ConcurrentBag<(string Name, BucketOptionsSpec Options, Location Location)>();
        OnInvocation(start, (operation, invocation) =>
            {
                if (symbols.IsBucketDeclaration(invocation.TargetMethod) && ResourceTracer.DeclaredName(invocation) is { } name)
                {
                    var options = BucketDeclarationParser.ReadOptions(invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 1)?.Value);
                    declarations.Add((name, options, invocation.Syntax.GetLocation()));
                }
            });

        start.RegisterCompilationEndAction(end =>
        {
            foreach (var group in declarations.GroupBy(d => d.Name))
            {
                var ordered = group.OrderBy(d => d.Location.SourceTree?.FilePath, System.StringComparer.Ordinal).ThenBy(d => d.Location.SourceSpan.Start).ToList();
                var first = ordered[0];
                foreach (var other in ordered.Skip(1).Where(d => d.Options != first.Options))
                {
                    var line = first.Location.GetLineSpan();
                    end.ReportDiagnostic(Diagnostic.Create(
                        Descriptors.ConflictingDeclaration,
                        other.Location,
                        [first.Location],
                        group.Key,
                        $"{System.IO.Path.GetFileName(line.Path)}:{line.StartLinePosition.Line + 1}"));
                }
            }
        });
    }
}
