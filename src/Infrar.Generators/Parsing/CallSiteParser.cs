using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Infrar.Generators.Specs;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Infrar.Generators.Parsing;

/// <summary>Finds calls on Infrar resources and turns each into a <see cref="CallSiteSpec"/>.</summary>
internal static class CallSiteParser
{
    /// <summary>
    /// The names of the SDK's rewritable methods: a cheap syntactic filter before any semantic work.
    /// A test checks it against every method the SDK marks with <c>[InfrarOperation]</c>.
    /// </summary>
    public static readonly HashSet<string> MethodNames =
    [
        "UploadAsync", "UploadFileAsync", "DownloadAsync", "DownloadBytesAsync", "DownloadFileAsync",
        "GetInfoAsync", "ExistsAsync", "ListAsync", "DeleteAsync", "CopyAsync", "CopyToAsync",
        "GetDownloadUrlAsync", "GetUploadUrlAsync",
        "SendAsync", "SendJsonAsync", "SendBatchAsync", "ReceiveAsync",
    ];

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is InvocationExpressionSyntax invocation && CalledName(invocation) is { } name && MethodNames.Contains(name);

    public static CallSiteSpec? Parse(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            return ParseCall(context, cancellationToken);
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            // A failure here must be reported: an unread call is an unrewritten call, which would run the local store.
            var invocation = (InvocationExpressionSyntax)context.Node;
            var name = NameLocation(invocation);
            var line = name.GetLineSpan();
            return new CallSiteSpec(
                "",
                "",
                new MethodSpec(CalledName(invocation) ?? "?", "", "", EquatableArray<ParameterSpec>.Empty),
                new CallLocationSpec(0, "", line.Path, line.StartLinePosition.Line + 1, line.StartLinePosition.Character + 1, name.SourceSpan.Start, name.SourceSpan.Length),
                ResourceReference.Unknown,
                null,
                $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static CallSiteSpec? ParseCall(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var invocation = (InvocationExpressionSyntax)context.Node;
        var model = BindingModel.For(context.SemanticModel);
        if (model.GetOperation(invocation, cancellationToken) is not IInvocationOperation { TargetMethod: var method } operation
            || OperationId(method) is not { } operationId
            || Capability(method) is not { } capability
            || method.IsStatic
            || model.GetInterceptableLocation(invocation, cancellationToken) is not { } location)
        {
            return null;
        }

        var name = NameLocation(invocation);
        var display = name.GetLineSpan();
        var destination = operation.Arguments.FirstOrDefault(a => InfrarTypes.IsSdkType(a.Parameter?.Type as INamedTypeSymbol, "Infrar", "Bucket"));

        // A generic method's interceptor is generic too, written with the method's own type parameters: one serves every call.
        var signature = method.IsGenericMethod ? method.OriginalDefinition : method;
        return new CallSiteSpec(
            operationId,
            capability,
            new MethodSpec(
                method.Name,
                method.ContainingType.ToDisplayString(TypeFormat),
                signature.ReturnType.ToDisplayString(TypeFormat),
                signature.Parameters.Select(p => new ParameterSpec(p.Type.ToDisplayString(TypeFormat), p.Name)).ToEquatableArray(),
                signature.TypeParameters.Select(t => t.Name).ToEquatableArray()),
            new CallLocationSpec(location.Version, location.Data, display.Path, display.StartLinePosition.Line + 1, display.StartLinePosition.Character + 1, name.SourceSpan.Start, name.SourceSpan.Length),
            ResourceTracer.Trace(operation.Instance, cancellationToken),
            destination is null ? null : ResourceTracer.Trace(destination.Value, cancellationToken));
    }

    /// <summary>The capability of a method of the SDK's own <c>Infrar.Bucket</c> (storage) or <c>Infrar.Queue</c> (queues).</summary>
    public static string? Capability(IMethodSymbol method) =>
        InfrarTypes.IsSdkType(method.ContainingType, "Infrar", "Bucket") ? Catalog.InfrarCatalog.StorageCapability
        : InfrarTypes.IsSdkType(method.ContainingType, "Infrar", "Queue") ? Catalog.InfrarCatalog.QueuesCapability
        : null;

    /// <summary>
    /// The catalog operation a method performs, from its <c>[InfrarOperation]</c> attribute: only on the SDK's own
    /// <c>Infrar.Bucket</c> or <c>Infrar.Queue</c>, with the SDK's own attribute.
    /// </summary>
    public static string? OperationId(IMethodSymbol method) =>
        Capability(method) is not null
            ? method.OriginalDefinition.GetAttributes()
                .FirstOrDefault(a => InfrarTypes.IsSdkType(a.AttributeClass, "Infrar.Internal", "InfrarOperationAttribute"))
                ?.ConstructorArguments.FirstOrDefault().Value as string
            : null;

    private static Location NameLocation(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax member => member.Name.GetLocation(),
        MemberBindingExpressionSyntax binding => binding.Name.GetLocation(),
        _ => invocation.GetLocation(),
    };

    private static string? CalledName(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        _ => null,
    };
}
