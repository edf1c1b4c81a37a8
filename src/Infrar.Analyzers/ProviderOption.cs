using Microsoft.CodeAnalysis.Diagnostics;

namespace Infrar.Analyzers;

/// <summary>The <c>InfrarProvider</c> MSBuild property, as the compiler sees it.</summary>
internal static class ProviderOption
{
    public const string Local = "local";

    public static string Read(AnalyzerOptions options) =>
        options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue("build_property.InfrarProvider", out var value) && !string.IsNullOrWhiteSpace(value)
            ? value.Trim().ToLowerInvariant()
            : Local;
}
