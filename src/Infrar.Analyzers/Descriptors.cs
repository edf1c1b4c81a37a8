using Microsoft.CodeAnalysis;

namespace Infrar.Analyzers;

/// <summary>Every rule the analyzers report; each has a page under <c>docs/rules/</c>.</summary>
internal static class Descriptors
{
    public const string HelpBase = "https://github.com/infrar/infrar-dotnet/blob/main/docs/rules/";
    private const string Portability = "Infrar.Portability";

    public static readonly DiagnosticDescriptor NonConstantName = Rule(
        "INFRAR0101",
        "Resource name is not a compile-time constant",
        "The name of bucket {0} is not a compile-time constant, so its infrastructure and permissions cannot be generated; use a string literal or a const",
        DiagnosticSeverity.Error);

    private static DiagnosticDescriptor Rule(string id, string title, string message, DiagnosticSeverity severity, string category = Portability) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id + ".md");
}
