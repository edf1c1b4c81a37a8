using System.Globalization;
using System.Text;

namespace Infrar.Platform.Policies.Hcl;

internal enum HclTokenKind
{
    Identifier,
    Number,
    Punctuation,

    /// <summary>The opening quote of a quoted template.</summary>
    QuotedStart,

    /// <summary>The closing quote of a quoted template.</summary>
    QuotedEnd,

    /// <summary><c>&lt;&lt;EOT</c> or <c>&lt;&lt;-EOT</c>, up to and including its newline.</summary>
    HeredocStart,

    /// <summary>The line that closes a heredoc.</summary>
    HeredocEnd,

    /// <summary>Literal text of a template, escapes decoded.</summary>
    TemplateLiteral,

    /// <summary><c>${</c>: an interpolation inside a template.</summary>
    TemplateInterpolation,

    /// <summary><c>%{</c>: a directive (if, for, else, end…) inside a template.</summary>
    TemplateControl,

    /// <summary>The <c>}</c> that ends an interpolation or directive.</summary>
    TemplateSequenceEnd,

    Newline,
    End,
}

internal readonly record struct HclToken(HclTokenKind Kind, string Text, int Line, int Column)
{
    public bool Is(string punctuation) => Kind == HclTokenKind.Punctuation && Text == punctuation;
}

/// <summary>HCL that cannot be read: the policy refuses what it cannot read rather than guess.</summary>
internal sealed class HclSyntaxException(string message, int line, int column) : Exception(message)
{
    public int Line { get; } = line;

    public int Column { get; } = column;
}

/// <summary>
/// Splits HCL native syntax into tokens, as HashiCorp's hclsyntax scanner does: comments dropped (a line comment
/// keeps its newline), quoted and heredoc templates split into literal text and the tokens of each interpolation and
/// directive, so that nothing written inside a string escapes the policy's view. Anything it does not recognise is an
/// error, never skipped.
/// </summary>
internal sealed class HclLexer
{
    private static readonly string[] MultiCharacter = ["==", "!=", "<=", ">=", "&&", "||", "=>", "...", "::"];
    private const string SingleCharacter = "{}[]()=<>+-*/%!?:.,~";

    private readonly string _text;
    private readonly List<HclToken> _tokens = [];
    private int _position;
    private int _line = 1;
    private int _lineStart;

    private HclLexer(string text) => _text = text;

    public static IReadOnlyList<HclToken> Tokenize(string text)
    {
        var lexer = new HclLexer(text.StartsWith('\uFEFF') ? text[1..] : text);
        lexer.LexExpressions(insideSequence: false);
        lexer.Add(HclTokenKind.End, "", lexer._position);
        return lexer._tokens;
    }

    private int Column(int position) => position - _lineStart + 1;

    private char Peek(int offset = 0) => _position + offset < _text.Length ? _text[_position + offset] : '\0';

    private bool AtEnd => _position >= _text.Length;

    private void Add(HclTokenKind kind, string text, int start) => _tokens.Add(new HclToken(kind, text, _line, Column(start)));

    private HclSyntaxException Error(string message) => new(message, _line, Column(_position));

    private void NewLine()
    {
        _position++;
        _line++;
        _lineStart = _position;
    }

    /// <summary>
    /// Expression and body tokens, until the end of the text or, inside an interpolation or directive, the
    /// <c>}</c> that closes it (braces of object constructors in between are counted).
    /// </summary>
    private void LexExpressions(bool insideSequence)
    {
        var braces = 0;
        while (!AtEnd)
        {
            var c = Peek();
            var start = _position;
            switch (c)
            {
                case ' ' or '\t' or '\r':
                    _position++;
                    continue;
                case '\n':
                    Add(HclTokenKind.Newline, "\n", start);
                    NewLine();
                    continue;
                case '#':
                    SkipLineComment();
                    continue;
                case '/' when Peek(1) == '/':
                    SkipLineComment();
                    continue;
                case '/' when Peek(1) == '*':
                    SkipBlockComment();
                    continue;
                case '"':
                    Add(HclTokenKind.QuotedStart, "\"", start);
                    _position++;
                    LexTemplate(heredocMarker: null, stripIndent: false);
                    continue;
                case '<' when Peek(1) == '<' && IsHeredocStart():
                    LexHeredoc();
                    continue;
                case '{':
                    braces++;
                    Add(HclTokenKind.Punctuation, "{", start);
                    _position++;
                    continue;
                case '}':
                    if (insideSequence && braces == 0)
                    {
                        Add(HclTokenKind.TemplateSequenceEnd, "}", start);
                        _position++;
                        return;
                    }

                    braces--;
                    Add(HclTokenKind.Punctuation, "}", start);
                    _position++;
                    continue;
            }

            if (char.IsAsciiDigit(c))
            {
                LexNumber();
            }
            else if (IsIdentifierStart(c))
            {
                while (!AtEnd && IsIdentifierPart(Peek()))
                {
                    _position++;
                }

                Add(HclTokenKind.Identifier, _text[start.._position], start);
            }
            else if (MultiCharacter.FirstOrDefault(op => string.CompareOrdinal(_text, _position, op, 0, op.Length) == 0) is { } op)
            {
                Add(HclTokenKind.Punctuation, op, start);
                _position += op.Length;
            }
            else if (SingleCharacter.Contains(c, StringComparison.Ordinal))
            {
                Add(HclTokenKind.Punctuation, c.ToString(), start);
                _position++;
            }
            else
            {
                throw Error($"unexpected character '{Printable(c)}'");
            }
        }

        if (insideSequence)
        {
            throw Error("a template interpolation is not closed");
        }
    }

    private void LexNumber()
    {
        var start = _position;
        while (char.IsAsciiDigit(Peek()))
        {
            _position++;
        }

        if (Peek() == '.' && char.IsAsciiDigit(Peek(1)))
        {
            _position++;
            while (char.IsAsciiDigit(Peek()))
            {
                _position++;
            }
        }

        if (Peek() is 'e' or 'E' && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-' && char.IsAsciiDigit(Peek(2)))))
        {
            _position += 2;
            while (char.IsAsciiDigit(Peek()))
            {
                _position++;
            }
        }

        Add(HclTokenKind.Number, _text[start.._position], start);
    }

    private void SkipLineComment()
    {
        while (!AtEnd && Peek() != '\n')
        {
            _position++;
        }
    }

    private void SkipBlockComment()
    {
        _position += 2;
        while (!AtEnd && !(Peek() == '*' && Peek(1) == '/'))
        {
            if (Peek() == '\n')
            {
                NewLine();
            }
            else
            {
                _position++;
            }
        }

        if (AtEnd)
        {
            throw Error("a /* comment is not closed");
        }

        _position += 2;
    }

    private bool IsHeredocStart()
    {
        var i = _position + 2;
        if (i < _text.Length && _text[i] == '-')
        {
            i++;
        }

        return i < _text.Length && IsIdentifierStart(_text[i]);
    }

    private void LexHeredoc()
    {
        var start = _position;
        _position += 2;
        var stripIndent = Peek() == '-';
        if (stripIndent)
        {
            _position++;
        }

        var markerStart = _position;
        while (!AtEnd && IsIdentifierPart(Peek()))
        {
            _position++;
        }

        var marker = _text[markerStart.._position];
        if (Peek() == '\r')
        {
            _position++;
        }

        if (Peek() != '\n')
        {
            throw Error($"a heredoc's <<{marker} must end its line");
        }

        Add(HclTokenKind.HeredocStart, _text[start.._position], start);
        NewLine();
        LexTemplate(marker, stripIndent);
    }

    /// <summary>
    /// A template's content: up to the closing quote, or for a heredoc up to the line holding only its marker.
    /// </summary>
    private void LexTemplate(string? heredocMarker, bool stripIndent)
    {
        var literal = new StringBuilder();
        var literalStart = _position;
        var atLineStart = heredocMarker is not null;

        void Flush()
        {
            if (literal.Length > 0)
            {
                _tokens.Add(new HclToken(HclTokenKind.TemplateLiteral, literal.ToString(), _line, Column(literalStart)));
                literal.Clear();
            }
        }

        while (true)
        {
            if (AtEnd)
            {
                throw Error(heredocMarker is null ? "a quoted string is not closed" : $"the heredoc {heredocMarker} is not closed");
            }

            if (heredocMarker is not null && atLineStart)
            {
                atLineStart = false;
                if (ClosesHeredoc(heredocMarker, out var length))
                {
                    Flush();
                    Add(HclTokenKind.HeredocEnd, heredocMarker, _position);
                    _position += length;
                    return;
                }
            }

            var c = Peek();
            if (heredocMarker is null && c == '"')
            {
                Flush();
                Add(HclTokenKind.QuotedEnd, "\"", _position);
                _position++;
                return;
            }

            if (c == '\n')
            {
                if (heredocMarker is null)
                {
                    throw Error("a quoted string cannot span lines");
                }

                literal.Append('\n');
                NewLine();
                atLineStart = true;
                continue;
            }

            if ((c == '$' || c == '%') && Peek(1) == c && Peek(2) == '{')
            {
                // $${ and %%{ are the escapes for a literal ${ and %{.
                literal.Append(c).Append('{');
                _position += 3;
                continue;
            }

            if ((c == '$' || c == '%') && Peek(1) == '{')
            {
                Flush();
                Add(c == '$' ? HclTokenKind.TemplateInterpolation : HclTokenKind.TemplateControl, c + "{", _position);
                _position += 2;
                LexExpressions(insideSequence: true);
                literalStart = _position;
                continue;
            }

            if (c == '\\' && heredocMarker is null)
            {
                literal.Append(Escape());
                continue;
            }

            if (char.IsControl(c) && c != '\t' && c != '\r')
            {
                throw Error($"a string holds the control character U+{(int)c:X4}");
            }

            literal.Append(c);
            _position++;
        }
    }

    private bool ClosesHeredoc(string marker, out int length)
    {
        var i = _position;
        while (i < _text.Length && _text[i] is ' ' or '\t')
        {
            i++;
        }

        if (string.CompareOrdinal(_text, i, marker, 0, marker.Length) != 0)
        {
            length = 0;
            return false;
        }

        i += marker.Length;
        if (i < _text.Length && _text[i] == '\r')
        {
            i++;
        }

        length = i - _position;
        return i >= _text.Length || _text[i] == '\n';
    }

    private string Escape()
    {
        var next = Peek(1);
        _position += 2;
        switch (next)
        {
            case 'n': return "\n";
            case 'r': return "\r";
            case 't': return "\t";
            case '"': return "\"";
            case '\\': return "\\";
            case 'u' or 'U':
                var digits = next == 'u' ? 4 : 8;
                if (_position + digits > _text.Length ||
                    !int.TryParse(_text.AsSpan(_position, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) ||
                    code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
                {
                    throw Error($"\\{next} needs {digits} hexadecimal digits of a Unicode scalar value");
                }

                _position += digits;
                return char.ConvertFromUtf32(code);
            default:
                throw Error($"'\\{Printable(next)}' is not an escape HCL knows");
        }
    }

    private static bool IsIdentifierStart(char c) =>
        char.IsLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) =>
        char.IsLetterOrDigit(c) || c is '_' or '-' ||
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation;

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : c.ToString();
}
