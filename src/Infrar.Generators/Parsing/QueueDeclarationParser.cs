using System;
using System.Linq;
using System.Threading;
using Infrar.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Generators.Parsing;

/// <summary>Finds <c>Queues.Queue("name", options)</c> declarations: the queues the infrastructure must create.</summary>
internal static class QueueDeclarationParser
{
    /// <summary><c>Queues.Queue(…)</c>, and <c>Queue(…)</c> under <c>using static Infrar.Queues</c>.</summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Queue" } or IdentifierNameSyntax { Identifier.ValueText: "Queue" } };

    public static QueueDeclarationSpec? Parse(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            var invocation = (InvocationExpressionSyntax)context.Node;
            var model = BindingModel.For(context.SemanticModel);
            if (model.GetOperation(invocation, cancellationToken) is not IInvocationOperation operation
                || operation.TargetMethod.Name != "Queue"
                || ResourceTracer.DeclaredName(operation) is not { } name)
            {
                return null;
            }

            var line = invocation.GetLocation().GetLineSpan();
            return new QueueDeclarationSpec(
                name,
                ReadOptions(operation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 1)?.Value),
                BucketDeclarationParser.DeclaredSymbol(model, invocation, cancellationToken),
                line.Path,
                line.StartLinePosition.Line + 1);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var line = context.Node.GetLocation().GetLineSpan();
            return new QueueDeclarationSpec("", QueueOptionsSpec.Default, null, line.Path, line.StartLinePosition.Line + 1, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// The options, from an object initializer of constants (<c>TimeSpan.FromMinutes(2)</c>, <c>new TimeSpan(0, 2, 0)</c>);
    /// anything else keeps the SDK's default for that option.
    /// </summary>
    internal static QueueOptionsSpec ReadOptions(IOperation? value)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        if (value is not IObjectCreationOperation { Initializer: { } initializer })
        {
            return QueueOptionsSpec.Default;
        }

        var options = QueueOptionsSpec.Default;
        foreach (var assignment in initializer.Initializers.OfType<ISimpleAssignmentOperation>())
        {
            if (assignment.Target is not IPropertyReferenceOperation { Property.Name: var property })
            {
                continue;
            }

            options = property switch
            {
                "VisibilityTimeout" when Seconds(assignment.Value) is { } seconds => options with { VisibilityTimeoutSeconds = seconds },
                "Retention" when Seconds(assignment.Value) is { } seconds => options with { RetentionSeconds = seconds },
                "MaxDeliveries" when assignment.Value.ConstantValue is { HasValue: true, Value: int count } => options with { MaxDeliveries = count },
                _ => options,
            };
        }

        return options;
    }

    /// <summary>A constant <see cref="TimeSpan"/> in whole seconds (rounded up, as the providers count), or null.</summary>
    private static int? Seconds(IOperation value)
    {
        while (value is IConversionOperation conversion)
        {
            value = conversion.Operand;
        }

        double? seconds = value switch
        {
            IInvocationOperation { TargetMethod: { IsStatic: true, ContainingType: var type } method, Arguments: { Length: 1 } argument } when IsTimeSpan(type) =>
                Number(argument[0].Value) is { } n ? method.Name switch
                {
                    "FromSeconds" => n,
                    "FromMinutes" => n * 60,
                    "FromHours" => n * 3600,
                    "FromDays" => n * 86400,
                    "FromMilliseconds" => n / 1000,
                    _ => null,
                } : null,
            IObjectCreationOperation { Constructor.ContainingType: var type, Arguments: var arguments } when IsTimeSpan(type) && arguments.Length is 3 or 4 =>
                arguments.Select(a => Number(a.Value)).ToList() is var parts && parts.All(p => p is not null)
                    ? parts.Count == 3
                        ? (parts[0]!.Value * 3600) + (parts[1]!.Value * 60) + parts[2]!.Value
                        : (parts[0]!.Value * 86400) + (parts[1]!.Value * 3600) + (parts[2]!.Value * 60) + parts[3]!.Value
                    : null,
            _ => null,
        };

        return seconds is { } s && s >= 0 && s <= int.MaxValue ? (int)Math.Ceiling(s) : null;
    }

    private static double? Number(IOperation value) => value.ConstantValue is { HasValue: true, Value: var constant } && constant is int or long or double or float or short or byte
        ? Convert.ToDouble(constant, System.Globalization.CultureInfo.InvariantCulture)
        : null;

    private static bool IsTimeSpan(ITypeSymbol? type) =>
        type is { Name: "TimeSpan", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };
}
