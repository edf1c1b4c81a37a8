using System.Text;
using System.Text.RegularExpressions;
using Infrar.Generators.Catalog;

namespace Infrar.Build.Infrastructure;

/// <summary>
/// Fills a catalog template: <c>{{name}}</c> is replaced by its value, <c>{{#name}}…{{/name}}</c> is kept only when the
/// value is set (not empty and not <c>false</c>), <c>{{^name}}…{{/name}}</c> only when it is not. A tag alone on its
/// line takes the line with it, and a multi-line value alone on its line is indented like the tag.
/// </summary>
internal static partial class TemplateRenderer
{
    public static string Render(string template, IReadOnlyDictionary<string, string> values, string templateName)
    {
        var text = StandaloneSectionTag().Replace(template.Replace("\r\n", "\n"), "$1");
        string previous;
        do
        {
            previous = text;
            text = Section().Replace(text, match =>
            {
                var set = IsSet(Value(values, match.Groups["name"].Value, templateName));
                return (match.Groups["kind"].Value == "#") == set ? match.Groups["body"].Value : "";
            });
        }
        while (text != previous);

        text = StandaloneVariable().Replace(text, match =>
        {
            var value = Value(values, match.Groups["name"].Value, templateName);
            if (value.Length == 0)
            {
                return "\u0000";
            }

            var indent = match.Groups["indent"].Value;
            return string.Join("\n", value.Split('\n').Select(line => line.Length == 0 ? "" : indent + line));
        });
        text = text.Replace("\u0000\n", "").Replace("\u0000", "");
        return Variable().Replace(text, match => Value(values, match.Groups["name"].Value, templateName));
    }

    public static bool IsSet(string value) => value.Length > 0 && value != "false";

    private static string Value(IReadOnlyDictionary<string, string> values, string name, string templateName) =>
        values.TryGetValue(name, out var value)
            ? value
            : throw new CatalogException($"catalog template '{templateName}' uses {{{{{name}}}}}, which Infrar does not provide.");

    [GeneratedRegex(@"^[ \t]*(\{\{[#^/]\w+\}\})[ \t]*\n", RegexOptions.Multiline)]
    private static partial Regex StandaloneSectionTag();

    [GeneratedRegex(@"\{\{(?<kind>[#^])(?<name>\w+)\}\}(?<body>.*?)\{\{/\k<name>\}\}", RegexOptions.Singleline)]
    private static partial Regex Section();

    [GeneratedRegex(@"^(?<indent>[ \t]*)\{\{(?<name>\w+)\}\}[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex StandaloneVariable();

    [GeneratedRegex(@"\{\{(?<name>\w+)\}\}")]
    private static partial Regex Variable();
}
