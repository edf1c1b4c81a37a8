using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Analyzers.Rules;

/// <summary>INFRAR0101: <c>Storage.Bucket(name)</c> with a name that is not a compile-time constant string (a null constant included).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NonConstantNameAnalyzer : InfrarAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.NonConstantName];

    internal override void Start(CompilationStartAnalysisContext start, InfrarSymbols symbols)
    {
        OnInvocation(start, (operation, invocation) =>
            {
                if (!symbols.IsBucketDeclaration(invocation.TargetMethod))
                {
                    return;
                }

                var name = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
                if (name is null || name.ArgumentKind == ArgumentKind.DefaultValue || name.Value.ConstantValue is { HasValue: true, Value: string })
                {
                    return;
                }

                operation.ReportDiagnostic(Diagnostic.Create(Descriptors.NonConstantName, name.Syntax.GetLocation(), name.Syntax.ToString()));
            });
    }
}
