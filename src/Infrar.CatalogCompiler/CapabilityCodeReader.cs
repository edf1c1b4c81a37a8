using System;
using System.Collections.Generic;
using System.Linq;
using Infrar.Generators.Catalog;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Infrar.CatalogCompiler;

/// <summary>
/// Reads the C# of one provider's capability folder (<c>catalog/providers/&lt;id&gt;/&lt;capability&gt;/*.cs</c>), as
/// the generator lifts it: every method with <c>[InfrarOperation("id")]</c> gives its body, and the class that declares
/// <c>Error</c> gives its members whole. The files are compiled against the provider's SDK in a test, so the text lifted
/// here is code that compiles; it must use no <c>using</c> directive, since the generated file has none.
/// </summary>
internal static class CapabilityCodeReader
{
    private static readonly CSharpParseOptions Options = new(LanguageVersion.Latest);

    public static CapabilityCode Read(IReadOnlyList<KeyValuePair<string, string>> files)
    {
        var operations = new Dictionary<string, OperationCode>(StringComparer.Ordinal);
        string? supportClass = null, support = null, errorType = null;
        foreach (var file in files)
        {
            var text = SourceText.From(file.Value);
            var root = CSharpSyntaxTree.ParseText(text, Options, "catalog/" + file.Key).GetCompilationUnitRoot();
            if (root.GetDiagnostics().FirstOrDefault(d => d.Severity == DiagnosticSeverity.Error) is { } syntax)
            {
                throw new CatalogException($"{Where(file.Key, text, syntax.Location.SourceSpan.Start)}: {syntax.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}");
            }

            if (root.Usings.Count > 0)
            {
                throw new CatalogException($"{Where(file.Key, text, root.Usings[0].SpanStart)}: catalog code uses no using directive (the generated file has none); write global::-qualified names.");
            }

            foreach (var type in root.DescendantNodes().OfType<ClassDeclarationSyntax>())
            {
                if (type.Members.OfType<MethodDeclarationSyntax>().Any(m => m.Identifier.ValueText == "Error"))
                {
                    if (supportClass is not null)
                    {
                        throw new CatalogException($"{Where(file.Key, text, type.Identifier.SpanStart)}: {type.Identifier.ValueText} declares Error, as {supportClass} does; one class holds the support code.");
                    }

                    var error = type.Members.OfType<MethodDeclarationSyntax>().First(m => m.Identifier.ValueText == "Error");
                    supportClass = type.Identifier.ValueText;
                    support = Inner(text, type.OpenBraceToken, type.CloseBraceToken);
                    errorType = error.ParameterList.Parameters.FirstOrDefault()?.Type?.ToString()
                        ?? throw new CatalogException($"{Where(file.Key, text, error.SpanStart)}: Error takes the provider's exception first.");
                }

                foreach (var method in type.Members.OfType<MethodDeclarationSyntax>())
                {
                    if (OperationId(method) is not { } id)
                    {
                        continue;
                    }

                    if (method.Body is null)
                    {
                        throw new CatalogException($"{Where(file.Key, text, method.Identifier.SpanStart)}: the method of operation {id} needs a block body, which the generator lifts.");
                    }

                    if (operations.ContainsKey(id))
                    {
                        throw new CatalogException($"{Where(file.Key, text, method.Identifier.SpanStart)}: operation {id} has a second method.");
                    }

                    operations.Add(id, new OperationCode(
                        Inner(text, method.Body.OpenBraceToken, method.Body.CloseBraceToken),
                        method.Modifiers.Any(SyntaxKind.AsyncKeyword),
                        method.Body.DescendantNodes().OfType<YieldStatementSyntax>().Any()));
                }
            }
        }

        if (supportClass is null)
        {
            throw new CatalogException($"catalog/{Folder(files)}: no class declares Error, which maps the provider's exceptions onto Infrar's.");
        }

        return new CapabilityCode(supportClass, support!, errorType!, operations);
    }

    /// <summary>The id of <c>[InfrarOperation("id")]</c> on the method, or null.</summary>
    private static string? OperationId(MethodDeclarationSyntax method) =>
        method.AttributeLists.SelectMany(list => list.Attributes)
            .Where(a => a.Name.ToString() is var name && (name.EndsWith("InfrarOperation", StringComparison.Ordinal) || name.EndsWith("InfrarOperationAttribute", StringComparison.Ordinal)))
            .Select(a => a.ArgumentList?.Arguments.FirstOrDefault()?.Expression is LiteralExpressionSyntax literal ? literal.Token.ValueText : null)
            .FirstOrDefault();

    /// <summary>The lines between two braces, less the indentation of what the braces hold.</summary>
    private static string Inner(SourceText text, SyntaxToken open, SyntaxToken close)
    {
        var indent = text.Lines.GetLinePosition(open.SpanStart).Character + 4;
        var lines = text.ToString(TextSpan.FromBounds(open.Span.End, close.SpanStart)).Replace("\r\n", "\n").Split('\n').ToList();
        if (lines.Count > 0 && lines[0].Trim().Length == 0)
        {
            lines.RemoveAt(0);
        }

        if (lines.Count > 0 && lines[lines.Count - 1].Trim().Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return string.Join("\n", lines.Select(line => line.Trim().Length == 0 ? "" : line.Length >= indent && line.Substring(0, indent).Trim().Length == 0 ? line.Substring(indent) : line.TrimStart())) + "\n";
    }

    private static string Where(string path, SourceText text, int position)
    {
        var line = text.Lines.GetLinePosition(position);
        return $"catalog/{path}({line.Line + 1},{line.Character + 1})";
    }

    private static string Folder(IReadOnlyList<KeyValuePair<string, string>> files) =>
        files.Count == 0 ? "providers" : files[0].Key.Substring(0, files[0].Key.LastIndexOf('/') + 1);
}
