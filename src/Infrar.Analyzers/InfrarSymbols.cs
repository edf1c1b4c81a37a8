using Microsoft.CodeAnalysis;

namespace Infrar.Analyzers;

/// <summary>The Infrar SDK's types in a compilation, looked up once per compilation; null when the SDK is not referenced.</summary>
internal sealed class InfrarSymbols
{
    private InfrarSymbols(INamedTypeSymbol storage, INamedTypeSymbol bucket, INamedTypeSymbol? operationAttribute)
    {
        Storage = storage;
        Bucket = bucket;
        OperationAttribute = operationAttribute;
    }

    public INamedTypeSymbol Storage { get; }

    public INamedTypeSymbol Bucket { get; }

    public INamedTypeSymbol? OperationAttribute { get; }

    public static InfrarSymbols? Create(Compilation compilation) =>
        compilation.GetTypeByMetadataName("Infrar.Storage") is { } storage && compilation.GetTypeByMetadataName("Infrar.Bucket") is { } bucket
            ? new InfrarSymbols(storage, bucket, compilation.GetTypeByMetadataName("Infrar.Internal.InfrarOperationAttribute"))
            : null;

    public bool IsBucketDeclaration(IMethodSymbol method) =>
        method.Name == "Bucket" && SymbolEqualityComparer.Default.Equals(method.ContainingType, Storage);

    /// <summary>The catalog operation a method performs, or null when it is not a rewritable Infrar method.</summary>
    public string? OperationId(IMethodSymbol method)
    {
        foreach (var attribute in method.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, OperationAttribute) && attribute.ConstructorArguments.Length == 1)
            {
                return attribute.ConstructorArguments[0].Value as string;
            }
        }

        return null;
    }
}
