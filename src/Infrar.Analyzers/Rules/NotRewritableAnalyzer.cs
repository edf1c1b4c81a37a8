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
/// call inside an expression tree, a <c>dynamic</c> call, a call through reflection), while a cloud provider is selected.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NotRewritableAnalyzer : InfrarAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [Descriptors.NotRewritable];

    internal override void Start(CompilationStartAnalysisContext start, InfrarSymbols symbols)
    {
        if (!CatalogLoader.Default.Providers.TryGetValue(ProviderOption.Read(start.Options), out var provider))
        {
            return;
        }

        var rewritable = symbols.Bucket.GetMembers().OfType<IMethodSymbol>().Where(m => symbols.OperationId(m) is not null).Select(m => m.Name).ToImmutableHashSet();
        var expressionType = start.Compilation.GetTypeByMetadataName("System.Linq.Expressions.Expression`1");
        var systemType = start.Compilation.GetTypeByMetadataName("System.Type");
        void Report(OperationAnalysisContext context, SyntaxNode node, string how, string method) =>
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.NotRewritable, node.GetLocation(), how, method, provider.Storage.Service, provider.Id));

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
                else if (invocation.TargetMethod.Name is "GetMethod" or "GetMember"
                    && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, systemType)
                    && invocation.Instance is ITypeOfOperation { TypeOperand: var type }
                    && SymbolEqualityComparer.Default.Equals(type, symbols.Bucket)
                    && invocation.Arguments.FirstOrDefault()?.Value.ConstantValue is { HasValue: true, Value: string name }
                    && rewritable.Contains(name))
                {
                    Report(context, invocation.Syntax, "call through reflection", name);
                }
            },
            OperationKind.Invocation);

        start.RegisterOperationAction(
            context =>
            {
                var dynamic = (IDynamicInvocationOperation)context.Operation;
                if (dynamic.Operation is IDynamicMemberReferenceOperation { MemberName: var name, Instance: var instance }
                    && rewritable.Contains(name)
                    && IsBucket(instance, symbols))
                {
                    Report(context, dynamic.Syntax, "dynamic call", name);
                }
            },
            OperationKind.DynamicInvocation);
    }

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

    private static bool IsBucket(IOperation? instance, InfrarSymbols symbols)
    {
        while (instance is IConversionOperation conversion)
        {
            if (SymbolEqualityComparer.Default.Equals(conversion.Operand.Type, symbols.Bucket))
            {
                return true;
            }

            instance = conversion.Operand;
        }

        return instance is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation
            && instance.Syntax is IdentifierNameSyntax
            && instance.Type?.TypeKind == TypeKind.Dynamic
            && InitializedWithBucket(instance, symbols);
    }

    private static bool InitializedWithBucket(IOperation instance, InfrarSymbols symbols)
    {
        var symbol = instance switch
        {
            ILocalReferenceOperation local => (ISymbol)local.Local,
            IFieldReferenceOperation field => field.Field,
            _ => null,
        };
        var declarator = symbol?.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as VariableDeclaratorSyntax;
        return declarator?.Initializer?.Value is { } value
            && instance.SemanticModel?.SyntaxTree == value.SyntaxTree
            && SymbolEqualityComparer.Default.Equals(instance.SemanticModel?.GetTypeInfo(value).Type, symbols.Bucket);
    }
}
