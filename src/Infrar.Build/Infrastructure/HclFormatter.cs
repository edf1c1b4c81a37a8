using System.Text;
using System.Text.RegularExpressions;

namespace Infrar.Build.Infrastructure;

/// <summary>
/// Lays HCL out as <c>tofu fmt</c> does for what Infrar writes: the <c>=</c> of consecutive one-line attributes at one
/// level aligned, at most one blank line in a row, no trailing spaces, one final newline.
/// </summary>
internal static partial class HclFormatter
{
    public static string Format(string hcl)
    {
        var lines = hcl.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).ToList();
        var kept = new List<string>();
        foreach (var line in lines)
        {
            if (line.Length == 0 && (kept.Count == 0 || kept[^1].Length == 0))
            {
                continue;
            }

            kept.Add(line);
        }

        while (kept.Count > 0 && kept[^1].Length == 0)
        {
            kept.RemoveAt(kept.Count - 1);
        }

        Align(kept);
        AlignTrailingComments(kept);
        return string.Join("\n", kept) + "\n";
    }

    /// <summary>Consecutive lines ending in a <c>#</c> comment have their comments start in one column.</summary>
    private static void AlignTrailingComments(List<string> lines)
    {
        var group = new List<(int Index, string Code, string Comment)>();
        for (var i = 0; i <= lines.Count; i++)
        {
            var at = i < lines.Count ? HclText.CommentStart(lines[i]) : -1;
            if (at > 0 && lines[i][..at].Trim().Length > 0)
            {
                group.Add((i, lines[i][..at].TrimEnd(), lines[i][at..]));
                continue;
            }

            var width = group.Count == 0 ? 0 : group.Max(g => g.Code.Length);
            foreach (var (index, code, comment) in group)
            {
                lines[index] = code.PadRight(width) + " " + comment;
            }

            group.Clear();
        }
    }

    private static void Align(List<string> lines)
    {
        var group = new List<(int Index, string Indent, string Key, string Value)>();
        for (var i = 0; i <= lines.Count; i++)
        {
            var attribute = i < lines.Count ? OneLineAttribute(lines[i]) : null;
            if (attribute is not null && (group.Count == 0 || group[0].Indent == attribute.Value.Indent))
            {
                group.Add((i, attribute.Value.Indent, attribute.Value.Key, attribute.Value.Value));
                continue;
            }

            Flush(lines, group);
            if (attribute is not null)
            {
                group.Add((i, attribute.Value.Indent, attribute.Value.Key, attribute.Value.Value));
            }
        }
    }

    private static void Flush(List<string> lines, List<(int Index, string Indent, string Key, string Value)> group)
    {
        var width = group.Count == 0 ? 0 : group.Max(a => a.Key.Length);
        foreach (var (index, indent, key, value) in group)
        {
            lines[index] = $"{indent}{key.PadRight(width)} = {value}";
        }

        group.Clear();
    }

    /// <summary>The parts of <c>key = value</c> when the value ends on the same line; null for anything else.</summary>
    private static (string Indent, string Key, string Value)? OneLineAttribute(string line)
    {
        var match = Attribute().Match(line);
        if (!match.Success || HclText.Depth(match.Groups["value"].Value) != 0)
        {
            return null;
        }

        return (match.Groups["indent"].Value, match.Groups["key"].Value, match.Groups["value"].Value);
    }

    [GeneratedRegex(@"^(?<indent>[ \t]*)(?<key>[A-Za-z_][A-Za-z0-9_\-]*|""[^""]*"")[ \t]*=(?!=)[ \t]*(?<value>.*)$")]
    private static partial Regex Attribute();
}
