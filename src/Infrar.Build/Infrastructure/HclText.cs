namespace Infrar.Build.Infrastructure;

/// <summary>Reading a line of HCL outside its strings: where a comment starts, and how many brackets stay open.</summary>
internal static class HclText
{
    /// <summary>Where a <c>#</c> comment starts outside strings, or -1.</summary>
    public static int CommentStart(string line) => CommentStart(line.AsSpan());

    /// <inheritdoc cref="CommentStart(string)"/>
    public static int CommentStart(ReadOnlySpan<char> line)
    {
        var inString = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == '#')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Brackets opened minus closed outside strings and comments, so <c>jsonencode({</c> counts 2.</summary>
    public static int Depth(string text) => Depth(text.AsSpan());

    /// <inheritdoc cref="Depth(string)"/>
    public static int Depth(ReadOnlySpan<char> text)
    {
        var comment = CommentStart(text);
        var code = comment < 0 ? text : text[..comment];
        var depth = 0;
        var inString = false;
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"': inString = true; break;
                case '{' or '[' or '(': depth++; break;
                case '}' or ']' or ')': depth--; break;
            }
        }

        return depth;
    }
}
