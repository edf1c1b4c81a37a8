using Microsoft.CodeAnalysis;

namespace Infrar.Generators.Parsing;

/// <summary>
/// What makes a symbol Infrar's own: declared in the Infrar.Sdk assembly, in the namespace it names. A user's type that
/// borrows a name (<c>Acme.Infrar.Storage</c>, its own <c>InfrarOperationAttribute</c>) is not taken for it.
/// </summary>
internal static class InfrarTypes
{
    public const string SdkAssembly = "Infrar.Sdk";

    public static bool IsSdkType(INamedTypeSymbol? type, string @namespace, string name) =>
        type is not null &&
        type.Name == name &&
        type.ContainingAssembly?.Name == SdkAssembly &&
        type.ContainingNamespace?.ToDisplayString() == @namespace &&
        type.ContainingType is null;
}
