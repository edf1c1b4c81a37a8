using System.Text;

namespace Infrar.Build.Infrastructure;

/// <summary>
/// Lays HCL out as <c>tofu fmt</c> does for what Infrar writes: the <c>=</c> of consecutive one-line attributes at one
/// level aligned, at most one blank line in a row, no trailing spaces, one final newline.
/// </summary>
internal static class HclFormatter
{
    public static string Format(string hcl)
    {
        var lines = Lines(hcl.Contains('\r') ? hcl.Replace("\r\n", "\n") : hcl);
        if (lines.Count == 0)
        {
            return "\n";
        }

        Align(lines);
        AlignTrailingComments(lines);
        var output = new StringBuilder(hcl.Length + (hcl.Length / 8));
        foreach (var line in lines)
        {
            output.Append(line).Append('\n');
        }

        return output.ToString();
    }

    /// <summary>The lines without trailing spaces, no two blank ones in a row, none blank at the start or the end.</summary>
    private static List<string> Lines(string hcl)
    {
        var lines = new List<string>(hcl.Length / 32);
        var rest = hcl.AsSpan();
        while (rest.Length > 0 || lines.Count == 0)
        {
            var end = rest.IndexOf('\n');
            var line = (end < 0 ? rest : rest[..end]).TrimEnd();
            rest = end < 0 ? [] : rest[(end + 1)..];
            if (line.Length > 0 || (lines.Count > 0 && lines[^1].Length > 0))
            {
                lines.Add(line.ToString());
            }

            if (end < 0)
            {
                break;
            }
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    /// <summary>Consecutive lines ending in a <c>#</c> comment have their comments start in one column.</summary>
    private static void AlignTrailingComments(List<string> lines)
    {
        var group = new List<(int Index, int CodeLength, int CommentStart)>();
        for (var i = 0; i <= lines.Count; i++)
        {
            var at = i < lines.Count ? HclText.CommentStart(lines[i]) : -1;
            var code = at > 0 ? lines[i].AsSpan(0, at).TrimEnd() : default;
            if (at > 0 && code.TrimStart().Length > 0)
            {
                group.Add((i, code.Length, at));
                continue;
            }

            var width = 0;
            foreach (var member in group)
            {
                width = Math.Max(width, member.CodeLength);
            }

            foreach (var (index, codeLength, commentStart) in group)
            {
                // Already in place (code padded to the width, one space, the comment): left as it is.
                var line = lines[index];
                if (commentStart == width + 1 && codeLength == width && line[codeLength] == ' ')
                {
                    continue;
                }

                lines[index] = string.Concat(line.AsSpan(0, codeLength), new string(' ', width - codeLength + 1), line.AsSpan(commentStart));
            }

            group.Clear();
        }
    }

    private static void Align(List<string> lines)
    {
        var group = new List<(int Index, Attribute Attribute)>();
        for (var i = 0; i <= lines.Count; i++)
        {
            var attribute = i < lines.Count ? OneLineAttribute(lines[i]) : null;
            if (attribute is { } found && (group.Count == 0 || group[0].Attribute.Indent == found.Indent))
            {
                group.Add((i, found));
                continue;
            }

            Flush(lines, group);
            if (attribute is { } next)
            {
                group.Add((i, next));
            }
        }
    }

    private static void Flush(List<string> lines, List<(int Index, Attribute Attribute)> group)
    {
        var width = 0;
        foreach (var (_, attribute) in group)
        {
            width = Math.Max(width, attribute.KeyLength);
        }

        foreach (var (index, attribute) in group)
        {
            var line = lines[index];
            var key = line.AsSpan(attribute.Indent, attribute.KeyLength);
            var value = line.AsSpan(attribute.ValueStart);

            // Already laid out (key padded to the width, " = ", the value): left as it is.
            if (attribute.ValueStart == attribute.Indent + width + 3 && line.AsSpan(attribute.Indent + attribute.KeyLength, width - attribute.KeyLength).IndexOfAnyExcept(' ') < 0
                && line.AsSpan(attribute.Indent + width, 3).SequenceEqual(" = "))
            {
                continue;
            }

            var text = new StringBuilder(attribute.Indent + width + 3 + value.Length);
            text.Append(line.AsSpan(0, attribute.Indent)).Append(key).Append(' ', width - attribute.KeyLength).Append(" = ").Append(value);
            lines[index] = text.ToString();
        }

        group.Clear();
    }

    /// <summary>
    /// Where the parts of <c>key = value</c> are when the value ends on the same line; null for anything else. A key is an
    /// identifier (letters, digits, <c>_</c>, <c>-</c>) or a quoted string; <c>==</c> is not an assignment.
    /// </summary>
    private static Attribute? OneLineAttribute(string line)
    {
        var indent = line.AsSpan().IndexOfAnyExcept(" \t");
        if (indent < 0)
        {
            return null;
        }

        var at = indent;
        if (line[at] == '"')
        {
            var close = line.IndexOf('"', at + 1);
            if (close < 0)
            {
                return null;
            }

            at = close + 1;
        }
        else if (char.IsAsciiLetter(line[at]) || line[at] == '_')
        {
            at++;
            while (at < line.Length && (char.IsAsciiLetterOrDigit(line[at]) || line[at] is '_' or '-'))
            {
                at++;
            }
        }
        else
        {
            return null;
        }

        var keyLength = at - indent;
        while (at < line.Length && line[at] is ' ' or '\t')
        {
            at++;
        }

        if (at >= line.Length || line[at] != '=' || (at + 1 < line.Length && line[at + 1] == '='))
        {
            return null;
        }

        at++;
        while (at < line.Length && line[at] is ' ' or '\t')
        {
            at++;
        }

        return HclText.Depth(line.AsSpan(at)) == 0 ? new Attribute(indent, keyLength, at) : null;
    }

    /// <summary>A one-line attribute: its indent's length, its key's length (the key starts after the indent), and where its value starts.</summary>
    private readonly record struct Attribute(int Indent, int KeyLength, int ValueStart);
}
