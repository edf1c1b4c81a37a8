using Microsoft.CodeAnalysis;

namespace Infrar.Generators.Diagnostics;

/// <summary>The generator's diagnostics. Each has a page under <c>docs/rules/</c>.</summary>
internal static class DiagnosticDescriptors
{
    private const string HelpBase = "https://github.com/infrar/infrar-dotnet/blob/main/docs/rules/";

    public static readonly DiagnosticDescriptor UnknownProvider = new(
        "INFRAR0001",
        "Unknown Infrar provider",
        "InfrarProvider '{0}' is not supported; valid values are: {1}",
        "Infrar.Build",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "INFRAR0001.md");

    public static readonly DiagnosticDescriptor MissingProviderPackage = new(
        "INFRAR0002",
        "Provider SDK package is not referenced",
        "InfrarProvider={0} rewrites storage calls into {1} calls, but the project does not reference {2} {3}; reference it, or build with the Infrar.Sdk package, which adds it",
        "Infrar.Build",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "INFRAR0002.md");

    public static readonly DiagnosticDescriptor UntracedBucket = new(
        "INFRAR0010",
        "The bucket of this call cannot be traced to its declaration",
        "Infrar cannot tell which bucket this {0} call uses, so it cannot grant the call's permissions; call it on a local, field or property initialized with Storage.Bucket(\"name\")",
        "Infrar.Infrastructure",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "INFRAR0010.md");
}
