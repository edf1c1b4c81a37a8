using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Analyzers.Rules;

/// <summary>INFRAR0105: a call on a provider's storage SDK (Amazon.S3, Azure.Storage.Blobs, Google's storage APIs) in application code.</summary>
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

                operation.ReportDiagnostic(Diagnostic.Create(
                    Descriptors.ProviderSdk,
                    invocation.Syntax.GetLocation(),
                    $"{invocation.TargetMethod.ContainingType.Name}.{invocation.TargetMethod.Name}",
                    provider));
            });

    /// <summary>The cloud a storage SDK type belongs to, or null.</summary>
    public static string? ProviderOf(INamedTypeSymbol? type)
    {
        var ns = type?.ContainingNamespace?.ToDisplayString() ?? "";
        return ns switch
        {
            _ when ns == "Amazon.S3" || ns.StartsWith("Amazon.S3.", System.StringComparison.Ordinal) => "Amazon S3",
            _ when ns == "Azure.Storage.Blobs" || ns.StartsWith("Azure.Storage.Blobs.", System.StringComparison.Ordinal) => "Azure Blob Storage",
            _ when ns.StartsWith("Google.Cloud.Storage", System.StringComparison.Ordinal) || ns.StartsWith("Google.Apis.Storage", System.StringComparison.Ordinal) => "Google Cloud Storage",
            _ => null,
        };
    }
}
