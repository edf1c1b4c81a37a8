using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Infrar.Platform.Policies;

/// <summary>
/// Guardrails evaluated on a plan before it is applied (docs/platform.md): rules on the resources it would create or
/// change, and a cap on the monthly cost of what the code uses. The built-in rules live in catalog/guardrails; an admin
/// adds rules to a project or an environment in the same JSON form, and may switch built-in rules off there.
/// </summary>
internal sealed class GuardrailPolicy
{
    /// <summary>The most the cost engine's monthly estimate (USD) may be on the environment's provider.</summary>
    public decimal? MaxMonthlyCost { get; set; }

    /// <summary>Built-in rules switched off where this policy applies.</summary>
    public List<string>? Disable { get; set; }

    public List<GuardrailRule>? Rules { get; set; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly Lazy<IReadOnlyDictionary<string, GuardrailPolicy>> BuiltInPolicies = new(LoadBuiltIn);

    /// <summary>The built-in guardrails of each provider, from catalog/guardrails.</summary>
    public static IReadOnlyDictionary<string, GuardrailPolicy> BuiltIn => BuiltInPolicies.Value;

    public static IEnumerable<string> BuiltInIds => BuiltIn.Values.SelectMany(p => p.Rules ?? []).Select(r => r.Id!);

    /// <summary>Reads a policy an admin sends; the problems are keyed by the field they are about, for a 400.</summary>
    public static (GuardrailPolicy? Policy, Dictionary<string, string[]> Errors) Parse(string json)
    {
        var errors = new Dictionary<string, string[]>();
        GuardrailPolicy? policy;
        try
        {
            policy = JsonSerializer.Deserialize<GuardrailPolicy>(json, Json);
        }
        catch (JsonException e)
        {
            errors[string.IsNullOrEmpty(e.Path) ? "policy" : e.Path.TrimStart('$', '.')] = [$"not a guardrail policy: {e.Message}"];
            return (null, errors);
        }

        if (policy is null)
        {
            errors["policy"] = ["a guardrail policy is a JSON object"];
            return (null, errors);
        }

        policy.Validate(errors, allowBuiltInIds: false);
        return (errors.Count == 0 ? policy : null, errors);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    private void Validate(Dictionary<string, string[]> errors, bool allowBuiltInIds)
    {
        if (MaxMonthlyCost is < 0)
        {
            errors["maxMonthlyCost"] = ["maxMonthlyCost is a number of US dollars, 0 or more"];
        }

        var builtIn = allowBuiltInIds ? [] : BuiltInIds.ToHashSet(StringComparer.Ordinal);
        foreach (var (id, i) in (Disable ?? []).Select((id, i) => (id, i)))
        {
            if (!builtIn.Contains(id))
            {
                errors[$"disable[{i}]"] = [$"'{id}' is not a built-in rule ({string.Join(", ", builtIn.Order(StringComparer.Ordinal))})"];
            }
        }

        if (Rules is { Count: > 200 })
        {
            errors["rules"] = ["a policy holds at most 200 rules"];
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (rule, i) in (Rules ?? []).Select((rule, i) => (rule, i)))
        {
            rule.Validate($"rules[{i}]", errors);
            if (rule.Id is { } id && (!seen.Add(id) || builtIn.Contains(id)))
            {
                errors[$"rules[{i}].id"] = [$"'{id}' is already a rule's id"];
            }
        }
    }

    private static IReadOnlyDictionary<string, GuardrailPolicy> LoadBuiltIn()
    {
        var policies = new Dictionary<string, GuardrailPolicy>(StringComparer.Ordinal);
        var assembly = Assembly.GetExecutingAssembly();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("guardrails/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            var policy = JsonSerializer.Deserialize<GuardrailPolicy>(stream, Json)!;
            var errors = new Dictionary<string, string[]>();
            policy.Validate(errors, allowBuiltInIds: true);
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"catalog {name}: {string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}");
            }

            policies[Path.GetFileNameWithoutExtension(name["guardrails/".Length..])] = policy;
        }

        return policies;
    }
}

/// <summary>
/// One rule: the resources it looks at (<see cref="Resource"/>, a type with <c>*</c> wildcards), optionally each item of
/// a list inside them (<see cref="Each"/>), the conditions under which it applies (<see cref="When"/>), and what it
/// refuses (<see cref="Deny"/>: any condition that holds) or insists on (<see cref="Require"/>: any that does not).
/// </summary>
internal sealed partial class GuardrailRule
{
    public string? Id { get; set; }

    public string? Description { get; set; }

    public string? Resource { get; set; }

    public GuardrailCondition? Each { get; set; }

    public List<GuardrailCondition>? When { get; set; }

    public List<GuardrailCondition>? Deny { get; set; }

    public List<GuardrailCondition>? Require { get; set; }

    public bool AppliesTo(string type) => ResourcePattern().IsMatch(type) &&
        Regex.IsMatch(type, "^" + Regex.Escape(Resource!).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant);

    internal void Validate(string at, Dictionary<string, string[]> errors)
    {
        if (Id is null || !IdPattern().IsMatch(Id))
        {
            errors[$"{at}.id"] = ["an id is 1 to 63 lower-case letters, digits and '-'"];
        }

        if (Resource is null || !ResourcePattern().IsMatch(Resource))
        {
            errors[$"{at}.resource"] = ["resource is a resource type, with * for any characters (aws_s3_*)"];
        }

        if ((Deny?.Count ?? 0) + (Require?.Count ?? 0) == 0)
        {
            errors[at] = ["a rule has deny or require conditions"];
        }

        Each?.Validate($"{at}.each", errors, needsOperator: false);
        foreach (var (list, name) in new[] { (When, "when"), (Deny, "deny"), (Require, "require") })
        {
            foreach (var (condition, i) in (list ?? []).Select((c, i) => (c, i)))
            {
                condition.Validate($"{at}.{name}[{i}]", errors, needsOperator: true);
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z0-9_*]{1,100}$")]
    private static partial Regex ResourcePattern();
}

/// <summary>
/// A test of one value in a resource's planned attributes. <see cref="Path"/> walks attributes and nested blocks by
/// name (lists are walked element by element); <see cref="JsonPath"/> goes on inside an attribute that holds JSON, such
/// as an IAM policy. Exactly one operator is given.
/// </summary>
internal sealed partial class GuardrailCondition
{
    private Regex? _regex;

    public string? Path { get; set; }

    [JsonPropertyName("json")]
    public string? JsonPath { get; set; }

    [JsonPropertyName("equals")]
    public JsonElement? EqualTo { get; set; }

    [JsonPropertyName("notEquals")]
    public JsonElement? NotEqualTo { get; set; }

    [JsonPropertyName("in")]
    public List<JsonElement>? OneOf { get; set; }

    [JsonPropertyName("notIn")]
    public List<JsonElement>? NoneOf { get; set; }

    public string? Matches { get; set; }

    public bool? Present { get; set; }

    [JsonIgnore]
    public Regex Regex => _regex ??= new Regex(Matches!, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>How the condition reads in a violation: <c>policy » Statement.Action matches ^\*$</c>.</summary>
    public string Describe()
    {
        var where = JsonPath is null ? Path : $"{Path} » {JsonPath}";
        return where + (EqualTo is { } e ? $" is {e.GetRawText()}"
            : NotEqualTo is { } n ? $" is not {n.GetRawText()}"
            : OneOf is { } one ? $" is one of {string.Join(", ", one.Select(v => v.GetRawText()))}"
            : NoneOf is { } none ? $" is none of {string.Join(", ", none.Select(v => v.GetRawText()))}"
            : Matches is { } m ? $" matches {m}"
            : Present == true ? " is set" : " is not set");
    }

    internal void Validate(string at, Dictionary<string, string[]> errors, bool needsOperator)
    {
        if (Path is null || !PathPattern().IsMatch(Path))
        {
            errors[$"{at}.path"] = ["path names attributes and nested blocks, separated by '.' (rule.apply_server_side_encryption_by_default.sse_algorithm)"];
        }

        if (JsonPath is not null && !PathPattern().IsMatch(JsonPath))
        {
            errors[$"{at}.json"] = ["json names properties inside the attribute's JSON, separated by '.' (Statement.Action)"];
        }

        var operators = new object?[] { EqualTo, NotEqualTo, OneOf, NoneOf, Matches, Present }.Count(o => o is not null);
        if (needsOperator && operators != 1)
        {
            errors[at] = ["a condition has exactly one of equals, notEquals, in, notIn, matches, present"];
        }
        else if (!needsOperator && operators != 0)
        {
            errors[at] = ["each names the list to look into; it has no operator"];
        }

        if (Matches is not null)
        {
            try
            {
                _ = Regex;
            }
            catch (ArgumentException e)
            {
                errors[$"{at}.matches"] = [$"not a regular expression this service can run: {e.Message}"];
            }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,100}(\\.[A-Za-z0-9_-]{1,100}){0,15}$")]
    private static partial Regex PathPattern();
}
