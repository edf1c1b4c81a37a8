using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Infrar.Generators.Catalog;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Infrar.CatalogCompiler;

/// <summary>
/// Reads <c>catalog/</c> (the AdditionalFiles that Catalog.targets marks) when one of Infrar's components is built,
/// and writes it as C#: <c>EmbeddedCatalog.Value</c>, the whole <see cref="InfrarCatalog"/>, provider code included.
/// A mistake in the catalog fails that build with the catalog file and line.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class CatalogCompiler : IIncrementalGenerator
{
    private static readonly DiagnosticDescriptor Broken = new(
        "INFRARCATALOG",
        "The catalog cannot be read",
        "{0}",
        "Infrar.Catalog",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var root = context.AnalyzerConfigOptionsProvider.Select((options, _) =>
            options.GlobalOptions.TryGetValue("build_property.InfrarCatalogDir", out var directory) ? Path.GetFullPath(directory) : "");
        var files = context.AdditionalTextsProvider
            .Combine(root)
            .Where(pair => pair.Right.Length > 0 && IsUnder(pair.Left.Path, pair.Right))
            .Select((pair, cancellationToken) => (Path: Relative(pair.Left.Path, pair.Right), Text: pair.Left.GetText(cancellationToken)?.ToString() ?? "", Full: pair.Left.Path))
            .Collect();

        context.RegisterSourceOutput(files.Combine(root), (production, input) =>
        {
            if (input.Right.Length == 0)
            {
                return;
            }

            try
            {
                var catalog = CatalogLoader.Load(input.Left.ToDictionary(f => f.Path, f => f.Text));
                production.AddSource("EmbeddedCatalog.g.cs", SourceText.From(CatalogSource.Write(catalog), System.Text.Encoding.UTF8));
            }
            catch (CatalogException e)
            {
                production.ReportDiagnostic(Diagnostic.Create(Broken, Locate(e.Message, input.Left, input.Right), e.Message));
            }
        });
    }

    private static bool IsUnder(string path, string root) =>
        Path.GetFullPath(path).StartsWith(root.TrimEnd('/', '\\') + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string Relative(string path, string root) =>
        Path.GetFullPath(path).Substring(root.TrimEnd('/', '\\').Length + 1).Replace('\\', '/');

    /// <summary>The catalog file and line a message begins with (<c>catalog/path(line,column): …</c>), when it names one.</summary>
    private static Location Locate(string message, ImmutableArray<(string Path, string Text, string Full)> files, string root)
    {
        var match = Regex.Match(message, @"^catalog/(?<path>[^(:]+)\((?<line>\d+)(,(?<column>\d+))?\)");
        if (!match.Success || files.FirstOrDefault(f => f.Path == match.Groups["path"].Value) is not { Full: { } full })
        {
            return Location.None;
        }

        var line = int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture) - 1;
        var column = match.Groups["column"].Success ? int.Parse(match.Groups["column"].Value, System.Globalization.CultureInfo.InvariantCulture) - 1 : 0;
        var position = new LinePosition(Math.Max(0, line), Math.Max(0, column));
        return Location.Create(full, default, new LinePositionSpan(position, position));
    }
}
