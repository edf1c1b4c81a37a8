using System;
using System.Text;

namespace Infrar.Generators.Emit;

/// <summary>Writes C# with four-space indentation and Unix line ends, whatever the machine.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void WriteLine(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4).Append(line);
        }

        _text.Append('\n');
    }

    /// <summary>Writes a block of lines (a catalog template) at the current indentation, keeping its own relative indentation.</summary>
    public void WriteLines(string text)
    {
        var lines = text.Replace("\r\n", "\n").TrimEnd('\n', ' ').Split('\n');
        foreach (var line in lines)
        {
            WriteLine(line.TrimEnd());
        }
    }

    public void OpenBlock(string? header = null)
    {
        if (header is not null)
        {
            WriteLine(header);
        }

        WriteLine("{");
        _indent++;
    }

    public void CloseBlock(string suffix = "")
    {
        _indent = Math.Max(0, _indent - 1);
        WriteLine("}" + suffix);
    }

    public override string ToString() => _text.ToString();

    /// <summary>
    /// Text safe in a <c>//</c> comment: every character C# ends a line at (CR, LF, U+0085, U+2028, U+2029) and every
    /// other control character becomes '?', so a file name cannot end the comment and start code.
    /// </summary>
    public static string CommentText(string text)
    {
        var safe = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            safe.Append(char.IsControl(c) || c is '\u2028' or '\u2029' ? '?' : c);
        }

        return safe.ToString();
    }
}
