using System.Linq;
using System.Threading;
using Infrar.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Generators.Parsing;

/// <summary>Finds <c>Storage.Bucket("name", options)</c> declarations: what infrastructure the code asks for.</summary>
internal static class BucketDeclarationParser
{
    /// <summary><c>Storage.Bucket(…)</c>, and <c>Bucket(…)</c> under <c>using static Infrar.Storage</c>.</summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Bucket" } or IdentifierNameSyntax { Identifier.ValueText: "Bucket" } };

    public static BucketDeclarationSpec? Parse(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            return ParseDeclaration(context, cancellationToken);
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            var line = context.Node.GetLocation().GetLineSpan();
            return new BucketDeclarationSpec("", BucketOptionsSpec.Default, null, line.Path, line.StartLinePosition.Line + 1, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static BucketDeclarationSpec? ParseDeclaration(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var invocation = (InvocationExpressionSyntax)context.Node;
        var model = BindingModel.For(context.SemanticModel);
        if (model.GetOperation(invocation, cancellationToken) is not IInvocationOperation operation
            || ResourceTracer.DeclaredName(operation) is not { } name)
        {
            return null;
        }

        var line = invocation.GetLocation().GetLineSpan();
        return new BucketDeclarationSpec(
            name,
            ReadOptions(operation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 1)?.Value),
            DeclaredSymbol(model, invocation, cancellationToken),
            line.Path,
            line.StartLinePosition.Line + 1);
    }

    /// <summary>The options, from an object initializer of constants; anything else leaves the defaults.</summary>
    internal static BucketOptionsSpec ReadOptions(IOperation? value)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value is not IObjectCreationOperation { Initializer: { } initializer })
        {
            return BucketOptionsSpec.Default;
        }

        var options = BucketOptionsSpec.Default;
        foreach (var assignment in initializer.Initializers.OfType<ISimpleAssignmentOperation>())
        {
            if (assignment.Target is not IPropertyReferenceOperation { Property.Name: var property })
            {
                continue;
            }

            var constant = assignment.Value.ConstantValue;
            options = property switch
            {
                "Versioning" when constant is { HasValue: true, Value: bool on } => options with { Versioning = on },
                "Public" when constant is { HasValue: true, Value: bool on } => options with { Public = on },
                "ExpireAfterDays" when constant is { HasValue: true, Value: int days } => options with { ExpireAfterDays = days },
                "CorsOrigins" => options with { CorsOrigins = ConstantStrings(assignment.Value).ToEquatableArray() },
                _ => options,
            };
        }

        return options;
    }

    private static System.Collections.Generic.IEnumerable<string> ConstantStrings(IOperation value)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        var elements = value switch
        {
            IArrayCreationOperation { Initializer: { } array } => array.ElementValues,
            ICollectionExpressionOperation collection => collection.Elements,
            _ => default,
        };

        return elements.IsDefault
            ? []
            : elements.Select(e => e.ConstantValue).Where(c => c.HasValue && c.Value is string).Select(c => (string)c.Value!);
    }

    /// <summary>The field or property the declaration initializes or is assigned to (in a constructor), by documentation id.</summary>
    internal static string? DeclaredSymbol(SemanticModel model, InvocationExpressionSyntax invocation, CancellationToken cancellationToken)
    {
        var symbol = invocation.Parent switch
        {
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator } => model.GetDeclaredSymbol(declarator, cancellationToken),
            EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax property } => model.GetDeclaredSymbol(property, cancellationToken),
            ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax property } => model.GetDeclaredSymbol(property, cancellationToken),
            AssignmentExpressionSyntax { Left: var left } assignment when assignment.Right == invocation => model.GetSymbolInfo(left, cancellationToken).Symbol,
            _ => null,
        };

        return symbol switch
        {
            IFieldSymbol field => field.OriginalDefinition.GetDocumentationCommentId(),
            IPropertySymbol property => property.OriginalDefinition.GetDocumentationCommentId(),
            _ => null,
        };
    }
}
