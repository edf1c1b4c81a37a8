using Microsoft.CodeAnalysis;

namespace Infrar.Generators.Diagnostics;

/// <summary>The generator's diagnostics; their codes are in <see cref="InfrarCodes"/>, and each has a page under <c>docs/rules/</c>.</summary>
internal static class DiagnosticDescriptors
{
    public static readonly DiagnosticDescriptor UnknownProvider = new(
        InfrarCodes.UnknownProvider,
        "Unknown Infrar provider",
        "InfrarProvider '{0}' is not supported; valid values are: {1}",
        "Infrar.Build",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: InfrarCodes.HelpLink(InfrarCodes.UnknownProvider));

    public static readonly DiagnosticDescriptor MissingProviderPackage = new(
        InfrarCodes.MissingProviderPackage,
        "Provider SDK package is not referenced",
        "InfrarProvider={0} rewrites storage calls into {1} calls, but the project does not reference {2} {3}; reference it, or build with the Infrar.Sdk package, which adds it",
        "Infrar.Build",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: InfrarCodes.HelpLink(InfrarCodes.MissingProviderPackage));

    public static readonly DiagnosticDescriptor ReferenceBuiltForAnotherProvider = new(
        InfrarCodes.ReferenceBuiltForAnotherProvider,
        "A referenced assembly was built for another provider",
        "{0} makes {1} call(s) on Infrar resources compiled for InfrarProvider={2}, but this project is built for {3}, so they would not reach {3}; build it with InfrarProvider={3} (a ProjectReference is built so by itself; rebuild a package or DLL with -p:InfrarProvider={3}), or list it in InfrarMixedProviderReferences if the mix is intended",
        "Infrar.Build",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: InfrarCodes.HelpLink(InfrarCodes.ReferenceBuiltForAnotherProvider));

    public static readonly DiagnosticDescriptor GeneratorFailed = new(
        InfrarCodes.GeneratorFailed,
        "Infrar's generator could not read this code",
        "Infrar's generator failed on this {0} ({1}), so it is not rewritten and its bucket gets no permission; please report it",
        "Infrar.Build",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: InfrarCodes.HelpLink(InfrarCodes.GeneratorFailed));

    public static readonly DiagnosticDescriptor UntracedBucket = new(
        InfrarCodes.UntracedBucket,
        "The bucket or queue of this call cannot be traced to its declaration",
        "Infrar cannot tell which {1} this {0} call uses, so it cannot grant the call's permissions; call it on a local, field or property initialized with {2}",
        "Infrar.Infrastructure",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: InfrarCodes.HelpLink(InfrarCodes.UntracedBucket));
}
