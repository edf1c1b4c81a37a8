using System.Collections.Immutable;
using System.Linq;
using Infrar.Generators.Catalog;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Infrar.Analyzers.Rules;

/// <summary>
/// INFRAR0110: a queue call in a build for a cloud whose queue code Infrar does not have yet (its catalog folder names
/// its queue rules only): nothing would rewrite the call, and at run time it would refuse to run the local queue in a
/// cloud app.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class QueueProviderAnalyzer : InfrarAnalyzer
{
    private static readonly string[] QueueTypes = ["Infrar.Queues", "Infrar.Queue", "Infrar.QueueMessage"];

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.QueueNotOnProvider];

    internal override void Start(CompilationStartAnalysisContext start, InfrarSymbols symbols)
    {
        var provider = ProviderOption.Read(start.Options);
        if (provider == EmbeddedCatalog.Value.DefaultProvider
            || (EmbeddedCatalog.Value.Providers.TryGetValue(provider, out var catalog) && catalog.Queues is { Operations.Count: > 0 }))
        {
            return;
        }

        var shipped = string.Join(", ", EmbeddedCatalog.Value.Clouds.Where(p => p.Queues is { Operations.Count: > 0 }).Select(p => p.Id));
        var types = QueueTypes
            .Select(name => start.Compilation.GetTypeByMetadataName(name))
            .OfType<INamedTypeSymbol>()
            .Where(type => SymbolEqualityComparer.Default.Equals(type.ContainingAssembly, symbols.Bucket.ContainingAssembly))
            .ToImmutableHashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        if (types.IsEmpty)
        {
            return;
        }

        OnInvocation(start, (operation, invocation) =>
        {
            var method = invocation.TargetMethod;
            var declaring = method.OverriddenMethod?.ContainingType ?? method.ContainingType;
            if (types.Contains(method.ContainingType) || types.Contains(declaring.OriginalDefinition))
            {
                operation.ReportDiagnostic(Diagnostic.Create(Descriptors.QueueNotOnProvider, invocation.Syntax.GetLocation(), $"{declaring.Name}.{method.Name}", provider, shipped));
            }
        });
    }
}
