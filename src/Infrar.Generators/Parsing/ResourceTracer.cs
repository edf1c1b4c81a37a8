using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Infrar.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Generators.Parsing;

/// <summary>
/// Traces the bucket or queue a call is made on back to its declaration, <c>Storage.Bucket("name")</c> or
/// <c>Queues.Queue("name")</c>, so that the call can be charged to it (infrastructure, permissions, cost). A variable is
/// traced through every value it is given (its initializer and each assignment; a readonly field's or get-only
/// property's in its constructors too): when they do not all name one resource, or it is passed by reference, the call
/// is untraced (INFRAR0010) rather than charged to one of them. <c>queue.DeadLetters</c> is traced to its queue.
/// </summary>
internal static class ResourceTracer
{
    private const int MaxDepth = 8;

    /// <summary>The bucket or queue an expression holds, as far as its own file tells.</summary>
    public static ResourceReference Trace(IOperation? receiver, CancellationToken cancellationToken) => Trace(receiver, cancellationToken, 0);

    /// <summary>The constant name given to <c>Infrar.Storage.Bucket</c> or <c>Infrar.Queues.Queue</c>, or null.</summary>
    public static string? DeclaredName(IInvocationOperation invocation) =>
        ((invocation.TargetMethod.Name == "Bucket" && InfrarTypes.IsSdkType(invocation.TargetMethod.ContainingType, "Infrar", "Storage"))
            || (invocation.TargetMethod.Name == "Queue" && InfrarTypes.IsSdkType(invocation.TargetMethod.ContainingType, "Infrar", "Queues")))
        && invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value.ConstantValue is { HasValue: true, Value: string name }
            ? name
            : null;

    private static ResourceReference Trace(IOperation? receiver, CancellationToken cancellationToken, int depth)
    {
        if (receiver is null || depth > MaxDepth)
        {
            return ResourceReference.Unknown;
        }

        switch (receiver)
        {
            case IConversionOperation conversion:
                return Trace(conversion.Operand, cancellationToken, depth + 1);
            case IParenthesizedOperation parenthesized:
                return Trace(parenthesized.Operand, cancellationToken, depth + 1);
            case IInvocationOperation invocation:
                return new ResourceReference(DeclaredName(invocation), null);
            case IPropertyReferenceOperation { Property.Name: "DeadLetters", Instance: { } queue } deadLetters
                when InfrarTypes.IsSdkType(deadLetters.Property.ContainingType, "Infrar", "Queue"):
                return Trace(queue, cancellationToken, depth + 1) is { DeadLetters: false } traced
                    ? traced with { DeadLetters = true }
                    : ResourceReference.Unknown;
            case IConditionalOperation conditional:
                return Agree([Trace(conditional.WhenTrue, cancellationToken, depth + 1), Trace(conditional.WhenFalse, cancellationToken, depth + 1)]);
            case ILocalReferenceOperation local:
                return Agree(Values(local.Local, receiver.SemanticModel, cancellationToken)?.Select(v => Trace(v, cancellationToken, depth + 1)));
            case IFieldReferenceOperation field when field.Field.IsReadOnly:
                return Member(field.Field, receiver.SemanticModel, cancellationToken, depth);
            case IPropertyReferenceOperation property when property.Property.SetMethod is null || property.Property.SetMethod.IsInitOnly:
                return Member(property.Property, receiver.SemanticModel, cancellationToken, depth);
            default:
                return ResourceReference.Unknown;
        }
    }

    /// <summary>
    /// A readonly field's or get-only property's bucket: its initializer and every constructor assignment, when its
    /// type is declared in this file alone; otherwise the member itself, resolved against every declaration later.
    /// </summary>
    private static ResourceReference Member(ISymbol member, SemanticModel? model, CancellationToken cancellationToken, int depth)
    {
        var symbol = member.OriginalDefinition.GetDocumentationCommentId();
        if (model is null || member.ContainingType.DeclaringSyntaxReferences.Any(r => r.SyntaxTree != model.SyntaxTree))
        {
            return new ResourceReference(null, symbol);
        }

        var values = Values(member, model, cancellationToken);
        if (values is null)
        {
            return ResourceReference.Unknown;
        }

        return values.Count == 0 ? new ResourceReference(null, symbol) : Agree(values.Select(v => Trace(v, cancellationToken, depth + 1)));
    }

    /// <summary>One reference when every value names the same bucket; unknown when they differ or there are none.</summary>
    private static ResourceReference Agree(IEnumerable<ResourceReference>? references)
    {
        var all = references?.ToList();
        return all is { Count: > 0 } && all.All(r => r.Name is not null) && all.Distinct().Count() == 1
            ? all[0]
            : ResourceReference.Unknown;
    }

    /// <summary>
    /// Every value a variable is given in this file: its initializer and each assignment in its scope. Null when it is
    /// given one that cannot be followed (passed by reference, deconstructed into, or declared elsewhere).
    /// </summary>
    private static List<IOperation>? Values(ISymbol symbol, SemanticModel? model, CancellationToken cancellationToken)
    {
        var reference = symbol.DeclaringSyntaxReferences.FirstOrDefault();
        if (model is null || reference is null || reference.SyntaxTree != model.SyntaxTree)
        {
            return null;
        }

        var declaration = reference.GetSyntax(cancellationToken);
        var values = new List<IOperation>();
        var initializer = declaration switch
        {
            VariableDeclaratorSyntax declarator => declarator.Initializer?.Value,
            PropertyDeclarationSyntax property => property.Initializer?.Value ?? property.ExpressionBody?.Expression,
            _ => null,
        };
        if (initializer is not null && model.GetOperation(initializer, cancellationToken) is { } value)
        {
            values.Add(value);
        }

        // A local is assigned within its member; a field or property within its type.
        var scope = symbol is ILocalSymbol
            ? declaration.Ancestors().FirstOrDefault(a => a is MemberDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax)
            : declaration.Ancestors().OfType<TypeDeclarationSyntax>().FirstOrDefault();
        if (scope is null)
        {
            return values;
        }

        foreach (var name in scope.DescendantNodes().OfType<IdentifierNameSyntax>().Where(n => n.Identifier.ValueText == symbol.Name))
        {
            if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol?.OriginalDefinition, symbol.OriginalDefinition))
            {
                continue;
            }

            var written = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? access : (ExpressionSyntax)name;
            switch (written.Parent)
            {
                case AssignmentExpressionSyntax assignment when assignment.Left == written:
                    if (model.GetOperation(assignment.Right, cancellationToken) is { } assigned)
                    {
                        values.Add(assigned);
                    }

                    break;
                case ArgumentSyntax { RefKindKeyword.RawKind: not 0 }:
                case PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax:
                    return null;
                case TupleExpressionSyntax or ArgumentSyntax { Parent: TupleExpressionSyntax }:
                    return null;
                case RefExpressionSyntax:
                    return null;
            }
        }

        return values;
    }
}
