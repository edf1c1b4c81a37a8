namespace Infrar.Platform.Policies.Hcl;

/// <summary>An attribute, <c>name = expression</c>, with the expression's tokens.</summary>
internal sealed record HclAttribute(string Name, int Line, IReadOnlyList<HclToken> Expression)
{
    /// <summary>The value when the expression is one literal string without interpolation; otherwise null.</summary>
    public string? LiteralString => HclLiterals.String(Expression, 0, out var next) is { } value && next == Expression.Count ? value : null;
}

/// <summary>A block, <c>type "label" … { body }</c>.</summary>
internal sealed record HclBlock(string Type, IReadOnlyList<string> Labels, int Line, HclBody Body);

/// <summary>
/// The structure of an HCL file: attributes and nested blocks, as hclsyntax reads them. Expressions are kept as token
/// lists; the policy asks questions of them (is it a literal? which functions does it call?) rather than evaluating.
/// </summary>
internal sealed class HclBody
{
    public List<HclAttribute> Attributes { get; } = [];

    public List<HclBlock> Blocks { get; } = [];

    public HclAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    public static HclBody Parse(IReadOnlyList<HclToken> tokens)
    {
        var position = 0;
        return ParseBody(tokens, ref position, closing: false);
    }

    private static HclBody ParseBody(IReadOnlyList<HclToken> tokens, ref int position, bool closing)
    {
        var body = new HclBody();
        while (true)
        {
            while (tokens[position].Kind == HclTokenKind.Newline)
            {
                position++;
            }

            var token = tokens[position];
            if (token.Kind == HclTokenKind.End)
            {
                if (closing)
                {
                    throw new HclSyntaxException("a block is not closed: '}' is missing", token.Line, token.Column);
                }

                return body;
            }

            if (token.Is("}"))
            {
                if (!closing)
                {
                    throw new HclSyntaxException("'}' closes no block", token.Line, token.Column);
                }

                position++;
                return body;
            }

            if (token.Kind != HclTokenKind.Identifier)
            {
                throw new HclSyntaxException($"expected an attribute or block name, found '{token.Text.Trim()}'", token.Line, token.Column);
            }

            position++;
            if (tokens[position].Is("="))
            {
                position++;
                var expression = ReadExpression(tokens, ref position);
                if (expression.Count == 0)
                {
                    throw new HclSyntaxException($"attribute '{token.Text}' has no value", token.Line, token.Column);
                }

                body.Attributes.Add(new HclAttribute(token.Text, token.Line, expression));
                continue;
            }

            var labels = new List<string>();
            while (!tokens[position].Is("{"))
            {
                var label = tokens[position];
                if (label.Kind == HclTokenKind.Identifier)
                {
                    labels.Add(label.Text);
                    position++;
                }
                else if (HclLiterals.String(tokens, position, out var next) is { } text)
                {
                    labels.Add(text);
                    position = next;
                }
                else
                {
                    throw new HclSyntaxException($"block '{token.Text}' has a label that is not a plain string: '{label.Text.Trim()}'", label.Line, label.Column);
                }
            }

            position++;
            var nested = ParseBody(tokens, ref position, closing: true);
            body.Blocks.Add(new HclBlock(token.Text, labels, token.Line, nested));
            var after = tokens[position];
            if (after.Kind is not (HclTokenKind.Newline or HclTokenKind.End) && !after.Is("}"))
            {
                throw new HclSyntaxException($"a block's closing '}}' must end its line, found '{after.Text.Trim()}'", after.Line, after.Column);
            }
        }
    }

    /// <summary>
    /// An expression's tokens: up to a newline outside brackets and templates, or an unmatched <c>}</c> (the end of a
    /// one-line block). Newlines inside brackets are not ends, as in hclsyntax.
    /// </summary>
    private static List<HclToken> ReadExpression(IReadOnlyList<HclToken> tokens, ref int position)
    {
        var expression = new List<HclToken>();
        var depth = 0;
        while (true)
        {
            var token = tokens[position];
            if (token.Kind == HclTokenKind.End)
            {
                if (depth > 0)
                {
                    throw new HclSyntaxException("an expression is not closed", token.Line, token.Column);
                }

                return expression;
            }

            if (depth == 0 && (token.Kind == HclTokenKind.Newline || token.Is("}")))
            {
                return expression;
            }

            switch (token.Kind)
            {
                case HclTokenKind.QuotedStart or HclTokenKind.HeredocStart or HclTokenKind.TemplateInterpolation or HclTokenKind.TemplateControl:
                    depth++;
                    break;
                case HclTokenKind.QuotedEnd or HclTokenKind.HeredocEnd or HclTokenKind.TemplateSequenceEnd:
                    depth--;
                    break;
                case HclTokenKind.Punctuation when token.Text is "(" or "[" or "{":
                    depth++;
                    break;
                case HclTokenKind.Punctuation when token.Text is ")" or "]" or "}":
                    depth--;
                    break;
            }

            if (depth < 0)
            {
                throw new HclSyntaxException($"'{token.Text}' closes nothing", token.Line, token.Column);
            }

            if (token.Kind != HclTokenKind.Newline)
            {
                expression.Add(token);
            }

            position++;
        }
    }
}

/// <summary>Literal values read from expression tokens: strings, and tuples and objects of them.</summary>
internal static class HclLiterals
{
    /// <summary>A quoted string with no interpolation starting at <paramref name="position"/>; null otherwise.</summary>
    public static string? String(IReadOnlyList<HclToken> tokens, int position, out int next)
    {
        next = position;
        if (position >= tokens.Count || tokens[position].Kind != HclTokenKind.QuotedStart)
        {
            return null;
        }

        var i = position + 1;
        var value = "";
        if (i < tokens.Count && tokens[i].Kind == HclTokenKind.TemplateLiteral)
        {
            value = tokens[i].Text;
            i++;
        }

        if (i >= tokens.Count || tokens[i].Kind != HclTokenKind.QuotedEnd)
        {
            return null;
        }

        next = i + 1;
        return value;
    }

    /// <summary>A tuple of literal strings, <c>["a", "b"]</c>, as the whole expression; null otherwise.</summary>
    public static IReadOnlyList<string>? StringTuple(IReadOnlyList<HclToken> expression)
    {
        if (expression.Count < 2 || !expression[0].Is("[") || !expression[^1].Is("]"))
        {
            return null;
        }

        var values = new List<string>();
        var i = 1;
        while (i < expression.Count - 1)
        {
            if (String(expression, i, out var next) is not { } value)
            {
                return null;
            }

            values.Add(value);
            i = next;
            if (expression[i].Is(","))
            {
                i++;
            }
            else if (i != expression.Count - 1)
            {
                return null;
            }
        }

        return values;
    }

    /// <summary>
    /// An object of literal strings, <c>{ source = "hashicorp/aws", version = "~> 6.0" }</c>, as the whole expression;
    /// null when it is anything else.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? StringObject(IReadOnlyList<HclToken> expression)
    {
        if (expression.Count < 2 || !expression[0].Is("{") || !expression[^1].Is("}"))
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 1;
        while (i < expression.Count - 1)
        {
            string key;
            if (expression[i].Kind == HclTokenKind.Identifier)
            {
                key = expression[i].Text;
                i++;
            }
            else if (String(expression, i, out var afterKey) is { } quoted)
            {
                key = quoted;
                i = afterKey;
            }
            else
            {
                return null;
            }

            if (!(expression[i].Is("=") || expression[i].Is(":")) || String(expression, i + 1, out var next) is not { } value || !values.TryAdd(key, value))
            {
                return null;
            }

            i = next;
            if (expression[i].Is(","))
            {
                i++;
            }
        }

        return values;
    }
}
