using System.Collections.Generic;

namespace Infrar.Generators.Diagnostics;

/// <summary>
/// Every INFRAR code, once, with what reports it. The generator's and the analyzers' descriptors and the build task's
/// messages take their codes and help links from here (the file is compiled into each); the build targets, which
/// cannot, are held to it by a test. Each code has its page under <c>docs/rules/</c>.
/// </summary>
internal static class InfrarCodes
{
    public const string HelpBase = "https://github.com/infrar/infrar-dotnet/blob/main/docs/rules/";

    public const string UnknownProvider = "INFRAR0001";
    public const string MissingProviderPackage = "INFRAR0002";
    public const string ReferenceBuiltForAnotherProvider = "INFRAR0003";
    public const string GeneratorFailed = "INFRAR0004";
    public const string UntracedBucket = "INFRAR0010";
    public const string PublicBucket = "INFRAR0020";
    public const string WideGrant = "INFRAR0021";
    public const string BeyondBaseline = "INFRAR0022";
    public const string InfrastructureNotWritten = "INFRAR0030";
    public const string NoManifest = "INFRAR0031";
    public const string NonConstantName = "INFRAR0101";
    public const string InvalidName = "INFRAR0102";
    public const string NotRewritable = "INFRAR0103";
    public const string PartialSupport = "INFRAR0104";
    public const string ProviderSdk = "INFRAR0105";
    public const string ConflictingDeclaration = "INFRAR0106";
    public const string UnsafeKey = "INFRAR0107";
    public const string MetadataName = "INFRAR0108";
    public const string SignedUrlExpiry = "INFRAR0109";

    /// <summary>Every code, with what reports it: <c>targets</c>, <c>generator</c>, <c>analyzers</c>, <c>build task</c>.</summary>
    public static readonly IReadOnlyList<KeyValuePair<string, string>> All =
    [
        new(UnknownProvider, "targets, generator"),
        new(MissingProviderPackage, "generator"),
        new(ReferenceBuiltForAnotherProvider, "generator"),
        new(GeneratorFailed, "generator"),
        new(UntracedBucket, "generator"),
        new(PublicBucket, "build task"),
        new(WideGrant, "build task"),
        new(BeyondBaseline, "build task"),
        new(InfrastructureNotWritten, "build task"),
        new(NoManifest, "build task"),
        new(NonConstantName, "analyzers"),
        new(InvalidName, "analyzers"),
        new(NotRewritable, "analyzers"),
        new(PartialSupport, "analyzers"),
        new(ProviderSdk, "analyzers"),
        new(ConflictingDeclaration, "analyzers, build task"),
        new(UnsafeKey, "analyzers"),
        new(MetadataName, "analyzers"),
        new(SignedUrlExpiry, "analyzers"),
    ];

    public static string HelpLink(string code) => HelpBase + code + ".md";
}
