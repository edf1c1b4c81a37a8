using System.Text.Json;
using System.Text.RegularExpressions;
using Infrar.Build.Infrastructure;

namespace Infrar.Testing;

/// <summary>
/// Checks HCL as Infrar writes it (one block or attribute per line) against a provider schema: every resource and data
/// source type exists, every attribute and nested block exists where it is used, every required attribute is set and
/// every required nested block is present. terraform validate cannot do this offline. With no provider named, each
/// resource is checked against the provider its type's prefix names (aws_, google_, azurerm_), for files that use several.
/// </summary>
public static partial class HclSchemaChecker
{
    private static readonly HashSet<string> MetaAttributes = ["count", "for_each", "depends_on", "provider"];
    private static readonly HashSet<string> MetaBlocks = ["lifecycle", "provisioner", "connection"];

    public static IReadOnlyList<string> Check(string? provider, string file, string hcl)
    {
        var problems = new List<string>();
        var stack = new Stack<Frame>();
        var lines = hcl.Split('\n');
        for (var number = 1; number <= lines.Length; number++)
        {
            var line = StripComment(lines[number - 1]).Trim();
            var where = $"{file}:{number}";
            if (line.Length == 0)
            {
                continue;
            }

            if (stack.TryPeek(out var top) && top.Kind == FrameKind.Expression)
            {
                top.Depth += Depth(line);
                if (top.Depth <= 0)
                {
                    stack.Pop();
                }

                continue;
            }

            if (line == "}")
            {
                Close(stack.Pop(), problems);
                continue;
            }

            if (TopLevel().Match(line) is { Success: true } declaration && stack.Count == 0)
            {
                var kind = declaration.Groups["kind"].Value;
                if (kind is "resource" or "data")
                {
                    var type = declaration.Groups["type"].Value;
                    var owner = provider ?? type.Split('_')[0] switch { "google" => "gcp", "azurerm" => "azure", var prefix => prefix };
                    var schema = ProviderSchemas.Find(owner, kind, type);
                    if (schema is null)
                    {
                        problems.Add($"{where}: {kind} type {type} does not exist in the {owner} provider");
                    }

                    stack.Push(new Frame(schema is null ? FrameKind.Ignored : FrameKind.Block, $"{type}", schema, where));
                }
                else
                {
                    stack.Push(new Frame(FrameKind.Ignored, kind, null, where));
                }

                continue;
            }

            var frame = stack.Peek();
            if (BlockOpen().Match(line) is { Success: true } block)
            {
                var name = block.Groups["name"].Value;
                var empty = line.EndsWith("{}", StringComparison.Ordinal);
                if (frame.Kind == FrameKind.Ignored || MetaBlocks.Contains(name))
                {
                    if (!empty)
                    {
                        stack.Push(new Frame(FrameKind.Ignored, name, null, where));
                    }

                    continue;
                }

                frame.Seen.Add(name);
                if (!frame.Schema!.Value.TryGetProperty("block_types", out var types) || !types.TryGetProperty(name, out var nested))
                {
                    problems.Add($"{where}: {frame.Path} has no block {name}");
                    stack.Push(new Frame(FrameKind.Ignored, name, null, where));
                    continue;
                }

                var child = new Frame(FrameKind.Block, $"{frame.Path}.{name}", nested.GetProperty("block"), where);
                if (empty)
                {
                    Close(child, problems);
                }
                else
                {
                    stack.Push(child);
                }

                continue;
            }

            if (Attribute().Match(line) is { Success: true } attribute)
            {
                var name = attribute.Groups["name"].Value;
                var depth = Depth(attribute.Groups["value"].Value);
                if (depth > 0)
                {
                    stack.Push(new Frame(FrameKind.Expression, name, null, where) { Depth = depth });
                }

                if (frame.Kind == FrameKind.Ignored || MetaAttributes.Contains(name))
                {
                    continue;
                }

                frame.Seen.Add(name);
                if (!frame.Schema!.Value.TryGetProperty("attributes", out var attributes) || !attributes.TryGetProperty(name, out var schema))
                {
                    problems.Add($"{where}: {frame.Path} has no attribute {name}");
                }
                else if (schema.TryGetProperty("computed", out var computed) && computed.GetBoolean() && !schema.TryGetProperty("optional", out _) && !schema.TryGetProperty("required", out _))
                {
                    problems.Add($"{where}: {frame.Path}.{name} is computed and cannot be set");
                }

                continue;
            }

            problems.Add($"{where}: cannot read '{line}'");
        }

        return problems;
    }

    private static void Close(Frame frame, List<string> problems)
    {
        if (frame.Kind != FrameKind.Block)
        {
            return;
        }

        if (frame.Schema!.Value.TryGetProperty("attributes", out var attributes))
        {
            foreach (var attribute in attributes.EnumerateObject().Where(a => a.Value.TryGetProperty("required", out var r) && r.GetBoolean()))
            {
                if (!frame.Seen.Contains(attribute.Name))
                {
                    problems.Add($"{frame.Where}: {frame.Path} lacks the required attribute {attribute.Name}");
                }
            }
        }

        if (frame.Schema.Value.TryGetProperty("block_types", out var types))
        {
            foreach (var type in types.EnumerateObject().Where(t => t.Value.TryGetProperty("min_items", out var min) && min.GetInt32() > 0))
            {
                if (!frame.Seen.Contains(type.Name))
                {
                    problems.Add($"{frame.Where}: {frame.Path} lacks the required block {type.Name}");
                }
            }
        }
    }

    private static int Depth(string text) => HclText.Depth(text);

    private static string StripComment(string line) => HclText.CommentStart(line) is var at and >= 0 ? line[..at] : line;

    [GeneratedRegex(@"^(?<kind>resource|data|variable|output|locals|terraform|provider)(\s+""(?<type>[^""]+)"")?(\s+""[^""]+"")?\s*\{$")]
    private static partial Regex TopLevel();

    [GeneratedRegex(@"^(?<name>[a-z_][a-z0-9_]*)(\s+""[^""]*"")*\s*\{\}?$")]
    private static partial Regex BlockOpen();

    [GeneratedRegex(@"^(?<name>[A-Za-z_][A-Za-z0-9_\-]*)\s*=\s*(?<value>.*)$")]
    private static partial Regex Attribute();

    private enum FrameKind
    {
        Block,
        Ignored,
        Expression,
    }

    private sealed class Frame(FrameKind kind, string path, JsonElement? schema, string where)
    {
        public FrameKind Kind { get; } = kind;

        public string Path { get; } = path;

        public JsonElement? Schema { get; } = schema;

        public string Where { get; } = where;

        public HashSet<string> Seen { get; } = [];

        public int Depth { get; set; }
    }
}
