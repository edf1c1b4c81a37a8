using System.Collections.Immutable;
using Infrar.Generators.Catalog;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Analyzers.Rules;

/// <summary>INFRAR0104: an operation whose support on the selected provider is partial, as the catalog says (<c>limitations</c>).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PartialSupportAnalyzer : InfrarAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.PartialSupport];

    internal override void Start(CompilationStartAnalysisContext start, InfrarSymbols symbols)
    {
        if (!EmbeddedCatalog.Value.Providers.TryGetValue(ProviderOption.Read(start.Options), out var provider) || provider.Storage is null)
        {
            return;
        }

        // Operation ids are unique across capabilities: the one binding that has the id is the call's.
        CapabilityBinding[] bindings = provider.Queues is { } queues ? [provider.Storage, queues] : [provider.Storage];
        OnInvocation(start, (operation, invocation) =>
            {
                if (symbols.OperationId(invocation.TargetMethod) is not { } id)
                {
                    return;
                }

                foreach (var binding in bindings)
                {
                    if (binding.Operations.TryGetValue(id, out var template) && template.Limitations is { } limitation)
                    {
                        var location = invocation.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } ? member.Name.GetLocation() : invocation.Syntax.GetLocation();
                        operation.ReportDiagnostic(Diagnostic.Create(Descriptors.PartialSupport, location, invocation.TargetMethod.Name, binding.Service, limitation));
                    }
                }
            });
    }
}
