using Infrar.Generators.Diagnostics;
using Microsoft.CodeAnalysis;

namespace Infrar.Analyzers;

/// <summary>Every rule the analyzers report; each has a page under <c>docs/rules/</c> and a line in AnalyzerReleases.</summary>
internal static class Descriptors
{
    private const string Portability = "Infrar.Portability";

    public static readonly DiagnosticDescriptor NonConstantName = Rule(
        InfrarCodes.NonConstantName,
        "Resource name is not a compile-time constant",
        "The name of bucket {0} is not a compile-time constant string, so its infrastructure and permissions cannot be generated; use a string literal or a const",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidName = Rule(
        InfrarCodes.InvalidName,
        "Resource name is invalid on a supported provider",
        "{0} name '{1}' is not valid on every provider: {2}",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NotRewritable = Rule(
        InfrarCodes.NotRewritable,
        "Call cannot be rewritten for the selected provider",
        "This {0} of Bucket.{1} cannot be rewritten into a direct {2} call, so it would run the local provider on {3}; call the method directly",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor PartialSupport = Rule(
        InfrarCodes.PartialSupport,
        "Operation is only partly supported on the selected provider",
        "{0} on {1}: {2}",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ProviderSdk = Rule(
        InfrarCodes.ProviderSdk,
        "Provider SDK used directly",
        "{0} ties this code to {1}; use Infrar's {2} API so it builds for every provider{3}",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ConflictingDeclaration = Rule(
        InfrarCodes.ConflictingDeclaration,
        "Bucket declared twice with conflicting options",
        "Bucket '{0}' is declared here with other options than at {1}; declare it once and share it",
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsafeKey = Rule(
        InfrarCodes.UnsafeKey,
        "Object key is unsafe or invalid on a provider",
        "Object key '{0}' is not portable: {1}",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor MetadataName = Rule(
        InfrarCodes.MetadataName,
        "Metadata name is not portable",
        "Metadata name '{0}' is not portable: use lower-case letters, digits and '_', starting with a letter or '_' (S3 lower-cases names and Azure accepts only identifiers)",
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor SignedUrlExpiry = Rule(
        InfrarCodes.SignedUrlExpiry,
        "Signed URL expiry is out of range",
        "A signed URL that lasts {0} is refused by S3 and Cloud Storage, which allow from 1 second to 7 days",
        DiagnosticSeverity.Warning);


    public static readonly DiagnosticDescriptor[] All =
    [
        NonConstantName, InvalidName, NotRewritable, PartialSupport, ProviderSdk, ConflictingDeclaration, UnsafeKey, MetadataName, SignedUrlExpiry,
    ];

    private static DiagnosticDescriptor Rule(string id, string title, string message, DiagnosticSeverity severity, string category = Portability) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: InfrarCodes.HelpLink(id));
}
