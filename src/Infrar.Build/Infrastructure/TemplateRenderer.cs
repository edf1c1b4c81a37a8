using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Infrar.Generators.Catalog;

namespace Infrar.Build.Infrastructure;

/// <summary>
/// Fills a catalog template: <c>{{name}}</c> is replaced by its value, <c>{{#name}}…{{/name}}</c> is kept only when the
/// value is set (not empty and not <c>false</c>), <c>{{^name}}…{{/name}}</c> only when it is not. A tag alone on its
/// line takes the line with it, and a multi-line value alone on its line is indented like the tag (an empty one takes
/// the line with it).
/// </summary>
/// <remarks>
/// Each template is parsed once into text, variables and sections, and rendered into a <see cref="StringBuilder"/>:
/// a thousand buckets render a template a thousand times, so no render rescans or copies the text.
/// </remarks>
internal static partial class TemplateRenderer
{
    private static readonly ConcurrentDictionary<string, Node[]> Parsed = new(StringComparer.Ordinal);

    public static string Render(string template, IReadOnlyDictionary<string, string> values, string templateName)
    {
        var output = new StringBuilder(template.Length * 2);
        Render(template, values, templateName, output);
        return output.ToString();
    }

    public static void Render(string template, IReadOnlyDictionary<string, string> values, string templateName, StringBuilder output)
    {
        var nodes = Parsed.GetOrAdd(template, text => Parse(text, templateName));
        var line = new List<Node>();
        Write(nodes, values, templateName, line, output);
        WriteLine(line, values, templateName, output, newline: false);
    }

    public static bool IsSet(string value) => value.Length > 0 && value != "false";

    /// <summary>Writes the text and variables that the sections keep, a line at a time (a line is complete at its newline).</summary>
    private static void Write(Node[] nodes, IReadOnlyDictionary<string, string> values, string templateName, List<Node> line, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case Section section:
                    if (section.Inverted != IsSet(Value(values, section.Name, templateName)))
                    {
                        Write(section.Body, values, templateName, line, output);
                    }

                    break;
                case NewLine:
                    WriteLine(line, values, templateName, output, newline: true);
                    break;
                default:
                    line.Add(node);
                    break;
            }
        }
    }

    /// <summary>
    /// One line: a variable alone on it (with spaces or tabs around) puts each line of its value at the tag's indent,
    /// and an empty one removes the line; otherwise every variable is replaced where it stands.
    /// </summary>
    private static void WriteLine(List<Node> line, IReadOnlyDictionary<string, string> values, string templateName, StringBuilder output, bool newline)
    {
        if (Standalone(line) is var (indent, name))
        {
            var value = Value(values, name, templateName);
            if (value.Length > 0)
            {
                var rest = value.AsSpan();
                while (true)
                {
                    var end = rest.IndexOf('\n');
                    var part = end < 0 ? rest : rest[..end];
                    if (part.Length > 0)
                    {
                        output.Append(indent).Append(part);
                    }

                    if (end < 0)
                    {
                        break;
                    }

                    output.Append('\n');
                    rest = rest[(end + 1)..];
                }

                if (newline)
                {
                    output.Append('\n');
                }
            }

            line.Clear();
            return;
        }

        foreach (var node in line)
        {
            output.Append(node is Variable variable ? Value(values, variable.Name, templateName) : ((Text)node).Value);
        }

        if (newline)
        {
            output.Append('\n');
        }

        line.Clear();
    }

    private static (string Indent, string Name)? Standalone(List<Node> line)
    {
        var variable = -1;
        for (var i = 0; i < line.Count; i++)
        {
            if (line[i] is Variable)
            {
                if (variable >= 0)
                {
                    return null;
                }

                variable = i;
            }
            else if (((Text)line[i]).Value.AsSpan().IndexOfAnyExcept(" \t") >= 0)
            {
                return null;
            }
        }

        if (variable < 0)
        {
            return null;
        }

        var indent = variable switch
        {
            0 => "",
            1 => ((Text)line[0]).Value,
            _ => string.Concat(line.Take(variable).Select(node => ((Text)node).Value)),
        };
        return (indent, ((Variable)line[variable]).Name);
    }

    private static string Value(IReadOnlyDictionary<string, string> values, string name, string templateName) =>
        values.TryGetValue(name, out var value)
            ? value
            : throw new CatalogException($"catalog template '{templateName}' uses {{{{{name}}}}}, which Infrar does not provide.");

    /// <summary>Reads a template into text, variables and sections; a section tag alone on its line takes the line with it.</summary>
    private static Node[] Parse(string template, string templateName)
    {
        var text = StandaloneSectionTag().Replace(template.Replace("\r\n", "\n"), "$1");
        var open = new Stack<(Section? Section, List<Node> Nodes)>();
        open.Push((null, []));
        var literal = 0;
        foreach (Match tag in Tag().Matches(text))
        {
            AddText(open.Peek().Nodes, text.AsSpan(literal, tag.Index - literal));

            literal = tag.Index + tag.Length;
            var name = tag.Groups["name"].Value;
            switch (tag.Groups["kind"].Value)
            {
                case "#" or "^":
                    open.Push((new Section(name, tag.Groups["kind"].Value == "^", []), []));
                    break;
                case "/":
                    if (open.Peek().Section is not { } section || section.Name != name)
                    {
                        throw new CatalogException($"catalog template '{templateName}' closes {{{{/{name}}}}} where it has no {{{{#{name}}}}} or {{{{^{name}}}}} open.");
                    }

                    var (_, body) = open.Pop();
                    open.Peek().Nodes.Add(section with { Body = [.. body] });
                    break;
                default:
                    open.Peek().Nodes.Add(new Variable(name));
                    break;
            }
        }

        if (open.Peek().Section is { } unclosed)
        {
            throw new CatalogException($"catalog template '{templateName}' opens {{{{{(unclosed.Inverted ? "^" : "#")}{unclosed.Name}}}}} and never closes it.");
        }

        AddText(open.Peek().Nodes, text.AsSpan(literal));
        return [.. open.Peek().Nodes];
    }

    /// <summary>Text as pieces without a newline, and the newlines between them.</summary>
    private static void AddText(List<Node> nodes, ReadOnlySpan<char> text)
    {
        while (text.Length > 0)
        {
            var end = text.IndexOf('\n');
            if (end != 0)
            {
                nodes.Add(new Text((end < 0 ? text : text[..end]).ToString()));
            }

            if (end < 0)
            {
                return;
            }

            nodes.Add(NewLine.Instance);
            text = text[(end + 1)..];
        }
    }

    private abstract record Node;

    /// <summary>Text without a newline.</summary>
    private sealed record Text(string Value) : Node;

    private sealed record NewLine : Node
    {
        public static readonly NewLine Instance = new();
    }

    private sealed record Variable(string Name) : Node;

    private sealed record Section(string Name, bool Inverted, Node[] Body) : Node;

    [GeneratedRegex(@"^[ \t]*(\{\{[#^/]\w+\}\})[ \t]*\n", RegexOptions.Multiline)]
    private static partial Regex StandaloneSectionTag();

    [GeneratedRegex(@"\{\{(?<kind>[#^/]?)(?<name>\w+)\}\}")]
    private static partial Regex Tag();
}
