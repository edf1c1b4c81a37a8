using System.Collections.Immutable;
using Infrar.Local;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Analyzers.Rules;

/// <summary>INFRAR0107: a constant object key the local provider refuses and clouds treat differently (leading '/', '..', …).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnsafeKeyAnalyzer : InfrarAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.UnsafeKey];

    internal override void Start(CompilationStartAnalysisContext start, InfrarSymbols symbols)
    {
        OnInvocation(start, (operation, invocation) =>
            {
                if (symbols.OperationId(invocation.TargetMethod) is null)
                {
                    return;
                }

                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter?.Name is "key" or "sourceKey" or "destinationKey"
                        && argument.Value.ConstantValue is { HasValue: true, Value: string key }
                        && ObjectKeys.FindProblem(key) is { } problem)
                    {
                        operation.ReportDiagnostic(Diagnostic.Create(Descriptors.UnsafeKey, argument.Syntax.GetLocation(), key, problem));
                    }
                }
            });
    }
}
