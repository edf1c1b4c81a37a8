using Infrar.Generators.Catalog;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Infrar.Analyzers;

/// <summary>The <c>InfrarProvider</c> MSBuild property, as the compiler sees it.</summary>
internal static class ProviderOption
{
    /// <summary>The provider the build names, or the catalog's default when it names none.</summary>
    public static string Read(AnalyzerOptions options) =>
        options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue("build_property.InfrarProvider", out var value) && !string.IsNullOrWhiteSpace(value)
            ? value.Trim().ToLowerInvariant()
            : EmbeddedCatalog.Value.DefaultProvider;
}
