using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Analyzers;

/// <summary>
/// What every Infrar rule does first: run concurrently, skip generated code (the interceptors included), and look at a
/// compilation only when it references the Infrar SDK.
/// </summary>
public abstract class InfrarAnalyzer : DiagnosticAnalyzer
{
    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (InfrarSymbols.Create(start.Compilation) is { } symbols)
            {
                Start(start, symbols);
            }
        });
    }

    /// <summary>Registers the rule's actions for one compilation that references the SDK.</summary>
    internal abstract void Start(CompilationStartAnalysisContext context, InfrarSymbols symbols);

    /// <summary>Registers <paramref name="action"/> for every method invocation.</summary>
    internal static void OnInvocation(CompilationStartAnalysisContext context, Action<OperationAnalysisContext, IInvocationOperation> action) =>
        context.RegisterOperationAction(operation => action(operation, (IInvocationOperation)operation.Operation), OperationKind.Invocation);
}
