using System.Linq;
using System.Threading;
using Infrar.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Generators.Parsing;

/// <summary>
/// Traces the bucket a call is made on back to its declaration, <c>Storage.Bucket("name")</c>, so that the
/// call can be charged to that bucket (infrastructure, permissions, cost).
/// </summary>
internal static class BucketTracer
{
    /// <summary>The bucket an expression holds, as far as its own file tells.</summary>
    public static BucketReference Trace(IOperation? receiver, CancellationToken cancellationToken)
    {
        for (var depth = 0; receiver is not null && depth < 8; depth++)
        {
            switch (receiver)
            {
                case IConversionOperation conversion:
                    receiver = conversion.Operand;
                    continue;
                case IInvocationOperation invocation:
                    return new BucketReference(DeclaredName(invocation), null);
                case ILocalReferenceOperation local:
                    receiver = Initializer(local.Local, receiver.SemanticModel, cancellationToken);
                    continue;
                case IFieldReferenceOperation field when field.Field.IsReadOnly:
                    var value = Initializer(field.Field, receiver.SemanticModel, cancellationToken);
                    if (value is null)
                    {
                        return new BucketReference(null, field.Field.OriginalDefinition.GetDocumentationCommentId());
                    }

                    receiver = value;
                    continue;
                case IPropertyReferenceOperation property when property.Property.SetMethod is null:
                    var initializer = Initializer(property.Property, receiver.SemanticModel, cancellationToken);
                    if (initializer is null)
                    {
                        return new BucketReference(null, property.Property.OriginalDefinition.GetDocumentationCommentId());
                    }

                    receiver = initializer;
                    continue;
                default:
                    return BucketReference.Unknown;
            }
        }

        return BucketReference.Unknown;
    }

    /// <summary>The constant name given to <c>Infrar.Storage.Bucket</c>, or null.</summary>
    public static string? DeclaredName(IInvocationOperation invocation) =>
        invocation.TargetMethod is { Name: "Bucket", ContainingType: { Name: "Storage", ContainingNamespace.Name: "Infrar" } }
        && invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value.ConstantValue is { HasValue: true, Value: string name }
            ? name
            : null;

    private static IOperation? Initializer(ISymbol symbol, SemanticModel? model, CancellationToken cancellationToken)
    {
        // Only declarations in the same syntax tree are followed: a transform must not depend on other files.
        var reference = symbol.DeclaringSyntaxReferences.FirstOrDefault();
        if (model is null || reference is null || reference.SyntaxTree != model.SyntaxTree)
        {
            return null;
        }

        var expression = reference.GetSyntax(cancellationToken) switch
        {
            VariableDeclaratorSyntax declarator => declarator.Initializer?.Value,
            PropertyDeclarationSyntax property => property.Initializer?.Value ?? property.ExpressionBody?.Expression,
            _ => null,
        };

        return expression is null ? null : model.GetOperation(expression, cancellationToken);
    }
}
