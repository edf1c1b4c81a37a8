using System.Collections.Immutable;
using System.Linq;
using Infrar.Generators.Catalog;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Analyzers.Rules;

/// <summary>INFRAR0105: a call on a provider's storage SDK (the namespaces the catalog names) in application code.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ProviderSdkAnalyzer : InfrarAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.ProviderSdk];

    internal override void Start(CompilationStartAnalysisContext start, InfrarSymbols symbols) =>
        OnInvocation(start, (operation, invocation) =>
            {
                // Instance calls, static helpers (AmazonS3Util) and extension methods (GetBlockBlobClient) alike.
                if (ProviderOf(invocation.TargetMethod.ContainingType) is not { } provider)
                {
                    return;
                }

                // Whether the fix moves it, and if not why: the same plan the code fix writes from.
                var plan = provider.Api == "Storage" && invocation.Syntax is InvocationExpressionSyntax call && operation.Operation.SemanticModel is { } model
                    ? ProviderSdkRewrite.Plan(call, model, operation.CancellationToken)
                    : null;
                operation.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.ProviderSdk,
                    invocation.Syntax.GetLocation(),
                    $"{invocation.TargetMethod.ContainingType.Name}.{invocation.TargetMethod.Name}",
                    provider.Service,
                    provider.Api,
                    plan is null ? "" : plan.WhyNot is { } why ? $" (no automatic fix: {why})" : " (the fix moves it)"));
            });

    /// <summary>
    /// The storage or queue service whose SDK a type belongs to (the catalog's <c>sdk_namespaces</c>), and the Infrar API
    /// that replaces it, or null.
    /// </summary>
    public static (string Service, string Api)? ProviderOf(INamedTypeSymbol? type)
    {
        var ns = type?.ContainingNamespace?.ToDisplayString() ?? "";
        foreach (var provider in EmbeddedCatalog.Value.Clouds)
        {
            foreach (var binding in new[] { provider.Storage, provider.Queues })
            {
                if (binding is not null && binding.SdkNamespaces.Any(sdk => ns == sdk || ns.StartsWith(sdk + ".", System.StringComparison.Ordinal)))
                {
                    return (binding.Service, binding.Capability == InfrarCatalog.QueuesCapability ? "Queues" : "Storage");
                }
            }
        }

        return null;
    }
}
