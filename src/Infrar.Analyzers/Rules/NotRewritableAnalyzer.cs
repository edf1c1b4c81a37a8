using System.Collections.Immutable;
using System.Linq;
using Infrar.Generators.Catalog;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Analyzers.Rules;

/// <summary>
/// INFRAR0103: a use of a rewritable <c>Bucket</c> method that interceptors cannot reach (a method group or delegate, a
/// call inside an expression tree, a <c>dynamic</c> call or one with a dynamic argument, a call through reflection), while
/// a cloud provider is selected. Such a call would reach the local store, which refuses to run in a cloud build.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NotRewritableAnalyzer : InfrarAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.NotRewritable];

    internal override void Start(CompilationStartAnalysisContext start, InfrarSymbols symbols)
    {
        if (!EmbeddedCatalog.Value.Providers.TryGetValue(ProviderOption.Read(start.Options), out var provider) || provider.Storage is not { } storage)
        {
            return;
        }

        var rewritable = symbols.Bucket.GetMembers().OfType<IMethodSymbol>().Where(m => symbols.OperationId(m) is not null).Select(m => m.Name).ToImmutableHashSet();
        var expressionType = start.Compilation.GetTypeByMetadataName("System.Linq.Expressions.Expression`1");
        var systemType = start.Compilation.GetTypeByMetadataName("System.Type");
        // Queue and Bucket methods have distinct names: the name says which service the call would have gone to.
        var queueMethods = start.Compilation.GetTypeByMetadataName("Infrar.Queue")?.GetMembers().OfType<IMethodSymbol>().Select(m => m.Name).ToImmutableHashSet() ?? [];
        void Report(OperationAnalysisContext context, SyntaxNode node, string how, string method) =>
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.NotRewritable, node.GetLocation(), how, method, queueMethods.Contains(method) && provider.Queues is { } queues ? queues.Service : storage.Service, provider.Id));

        start.RegisterOperationAction(
            context =>
            {
                var reference = (IMethodReferenceOperation)context.Operation;
                if (symbols.OperationId(reference.Method) is not null)
                {
                    Report(context, reference.Syntax, "method group", reference.Method.Name);
                }
            },
            OperationKind.MethodReference);

        start.RegisterOperationAction(
            context =>
            {
                var invocation = (IInvocationOperation)context.Operation;
                if (symbols.OperationId(invocation.TargetMethod) is not null && InExpressionTree(invocation, expressionType))
                {
                    Report(context, invocation.Syntax, "call in an expression tree", invocation.TargetMethod.Name);
                }
                else if (ReflectedMethod(invocation, systemType, symbols, rewritable) is { } reflected)
                {
                    Report(context, invocation.Syntax, "call through reflection", reflected);
                }
            },
            OperationKind.Invocation);

        start.RegisterOperationAction(
            context =>
            {
                // A dynamic call is bound at run time, where no interceptor can reach it: whether the receiver is a
                // dynamic value that may hold a Bucket, or a Bucket called with a dynamic argument.
                var dynamic = (IDynamicInvocationOperation)context.Operation;
                if (dynamic.Operation is IDynamicMemberReferenceOperation { MemberName: var name, Instance: var instance } && rewritable.Contains(name))
                {
                    if (IsBucket(instance?.Type, symbols))
                    {
                        Report(context, dynamic.Syntax, "call with a dynamic argument", name);
                    }
                    else if (instance?.Type?.TypeKind == TypeKind.Dynamic)
                    {
                        Report(context, dynamic.Syntax, "dynamic call", name);
                    }
                }
            },
            OperationKind.DynamicInvocation);
    }

    /// <summary>
    /// The Bucket method a reflection call looks up (<c>typeof(Bucket).GetMethod("X")</c>,
    /// <c>bucket.GetType().GetMethod("X")</c>, <c>InvokeMember</c>), or "*" for <c>GetMethods()</c>/<c>GetMembers()</c>.
    /// </summary>
    private static string? ReflectedMethod(IInvocationOperation invocation, INamedTypeSymbol? systemType, InfrarSymbols symbols, ImmutableHashSet<string> rewritable)
    {
        if (invocation.TargetMethod.Name is not ("GetMethod" or "GetMember" or "GetMethods" or "GetMembers" or "InvokeMember" or "GetRuntimeMethod" or "GetRuntimeMethods")
            || !ReflectsOnBucket(invocation.Instance ?? invocation.Arguments.FirstOrDefault()?.Value, systemType, symbols))
        {
            return null;
        }

        if (invocation.TargetMethod.Name is "GetMethods" or "GetMembers" or "GetRuntimeMethods")
        {
            return "*";
        }

        var name = invocation.Arguments.Select(a => a.Value.ConstantValue).Where(c => c.HasValue).Select(c => c.Value).OfType<string>().FirstOrDefault();
        return name is not null && rewritable.Contains(name) ? name : null;
    }

    private static bool ReflectsOnBucket(IOperation? type, INamedTypeSymbol? systemType, InfrarSymbols symbols)
    {
        while (type is IConversionOperation conversion)
        {
            type = conversion.Operand;
        }

        return type switch
        {
            ITypeOfOperation { TypeOperand: var operand } => SymbolEqualityComparer.Default.Equals(operand, symbols.Bucket),
            IInvocationOperation { TargetMethod.Name: "GetType", Instance: { } instance } => IsBucket(instance.Type, symbols),
            _ => false,
        } && (systemType is null || SymbolEqualityComparer.Default.Equals(type?.Type, systemType) || type?.Type?.Name == "Type");
    }

    private static bool IsBucket(ITypeSymbol? type, InfrarSymbols symbols) => SymbolEqualityComparer.Default.Equals(type, symbols.Bucket);

    private static bool InExpressionTree(IOperation operation, INamedTypeSymbol? expressionType)
    {
        foreach (var lambda in operation.Syntax.Ancestors().OfType<LambdaExpressionSyntax>())
        {
            if (operation.SemanticModel?.GetTypeInfo(lambda).ConvertedType is INamedTypeSymbol { IsGenericType: true } converted
                && SymbolEqualityComparer.Default.Equals(converted.OriginalDefinition, expressionType))
            {
                return true;
            }
        }

        return false;
    }
}
