using System.Globalization;
using System.Text.Json;
using Infrar.Platform.Cost;
using Infrar.Platform.Manifest;

namespace Infrar.Platform.Policies;

/// <summary>A guardrail the plan breaks: which rule (and where it comes from), which resource, and what is wrong.</summary>
internal sealed record GuardrailViolation(string Rule, string Source, string Resource, string Message);

/// <summary>Where a policy comes from, as violations name it.</summary>
internal sealed record ScopedPolicy(string Source, GuardrailPolicy Policy);

/// <summary>
/// Evaluates guardrails on <c>tofu show -json</c> of a plan: every rule on every resource the plan creates or updates,
/// and the cost cap on the manifest's estimate for the environment's provider. Values OpenTofu knows only after apply
/// are not judged. Destroying is never refused.
/// </summary>
internal static class PlanGuardrails
{
    public static IReadOnlyList<GuardrailViolation> Evaluate(string planJson, string provider, ManifestDocument? manifest, IReadOnlyList<ScopedPolicy> policies)
    {
        var disabled = policies.SelectMany(p => p.Policy.Disable ?? []).ToHashSet(StringComparer.Ordinal);
        var rules = new List<(GuardrailRule Rule, string Source)>();
        if (GuardrailPolicy.BuiltIn.TryGetValue(provider, out var builtIn))
        {
            rules.AddRange((builtIn.Rules ?? []).Where(r => !disabled.Contains(r.Id!)).Select(r => (r, "built-in")));
        }

        foreach (var scoped in policies)
        {
            rules.AddRange((scoped.Policy.Rules ?? []).Select(r => (r, scoped.Source)));
        }

        var violations = new List<GuardrailViolation>();
        using var plan = JsonDocument.Parse(planJson);
        if (plan.RootElement.TryGetProperty("resource_changes", out var changes))
        {
            foreach (var change in changes.EnumerateArray())
            {
                if (change.GetProperty("mode").GetString() != "managed" || !Creates(change.GetProperty("change")))
                {
                    continue;
                }

                var type = change.GetProperty("type").GetString()!;
                var address = change.GetProperty("address").GetString()!;
                var after = change.GetProperty("change").GetProperty("after");
                var unknown = change.GetProperty("change").TryGetProperty("after_unknown", out var u) ? u : default;
                foreach (var (rule, source) in rules.Where(r => r.Rule.AppliesTo(type)))
                {
                    foreach (var message in Check(rule, after, unknown))
                    {
                        violations.Add(new GuardrailViolation(rule.Id!, source, address, message));
                    }
                }
            }
        }

        var caps = policies.Where(p => p.Policy.MaxMonthlyCost is not null).ToList();
        if (caps.Count > 0)
        {
            var (cap, source) = caps.Select(p => (Cap: p.Policy.MaxMonthlyCost!.Value, p.Source)).MinBy(c => c.Cap);
            if (manifest is null)
            {
                violations.Add(new GuardrailViolation("max-monthly-cost", source, "(manifest)",
                    $"the {source} caps the monthly cost at ${cap.ToString("0.00", CultureInfo.InvariantCulture)}, and this deployment carries no manifest to price"));
            }
            else if (CostEngine.Estimate(manifest, UsageProfile.Load(null, manifest), PriceBook.Default).Providers.FirstOrDefault(p => p.Provider == provider) is { } estimate &&
                     estimate.Total > cap)
            {
                violations.Add(new GuardrailViolation("max-monthly-cost", source, "(manifest)",
                    $"the estimate for {provider} ({estimate.Region}) is ${estimate.Total.ToString("0.00", CultureInfo.InvariantCulture)} a month, over the {source}'s cap of ${cap.ToString("0.00", CultureInfo.InvariantCulture)}"));
            }
        }

        return violations;
    }

    private static bool Creates(JsonElement change) =>
        change.GetProperty("actions").EnumerateArray().Any(a => a.GetString() is "create" or "update");

    private static IEnumerable<string> Check(GuardrailRule rule, JsonElement after, JsonElement unknown)
    {
        var items = rule.Each is { } each ? Resolve(after, unknown, each, out _) : [after];
        foreach (var item in items)
        {
            var itemUnknown = rule.Each is null ? unknown : default;
            if ((rule.When ?? []).Any(c => Holds(item, itemUnknown, c) != true))
            {
                continue;
            }

            foreach (var condition in rule.Deny ?? [])
            {
                if (Holds(item, itemUnknown, condition) == true)
                {
                    yield return $"{rule.Description ?? rule.Id}: {condition.Describe()}";
                }
            }

            foreach (var condition in rule.Require ?? [])
            {
                if (Holds(item, itemUnknown, condition) == false)
                {
                    yield return $"{rule.Description ?? rule.Id}: needs {condition.Describe()}";
                }
            }
        }
    }

    /// <summary>Whether the condition holds; null when the value is known only after apply.</summary>
    private static bool? Holds(JsonElement item, JsonElement unknown, GuardrailCondition condition)
    {
        var values = Resolve(item, unknown, condition, out var isUnknown);
        if (isUnknown)
        {
            return null;
        }

        if (condition.Present is { } present)
        {
            return values.Count > 0 == present;
        }

        if (condition.EqualTo is { } equal)
        {
            return values.Any(v => Same(v, equal));
        }

        if (condition.NotEqualTo is { } notEqual)
        {
            return values.Count == 0 || values.Any(v => !Same(v, notEqual));
        }

        if (condition.OneOf is { } oneOf)
        {
            return values.Any(v => oneOf.Any(o => Same(v, o)));
        }

        if (condition.NoneOf is { } noneOf)
        {
            return values.Count == 0 || values.Any(v => !noneOf.Any(o => Same(v, o)));
        }

        return values.Any(v => v.ValueKind == JsonValueKind.String && condition.Regex.IsMatch(v.GetString()!));
    }

    /// <summary>
    /// The values at the condition's path: lists are walked element by element and flattened; a JSON attribute is
    /// parsed and its <see cref="GuardrailCondition.JsonPath"/> walked the same way. Nulls are no value.
    /// </summary>
    private static List<JsonElement> Resolve(JsonElement root, JsonElement unknown, GuardrailCondition condition, out bool isUnknown)
    {
        isUnknown = false;
        var current = new List<JsonElement> { root };
        var segments = condition.Path!.Split('.');
        for (var i = 0; i < segments.Length; i++)
        {
            if (unknown.ValueKind == JsonValueKind.Object)
            {
                if (unknown.TryGetProperty(segments[i], out var next))
                {
                    if (next.ValueKind == JsonValueKind.True)
                    {
                        isUnknown = true;
                        return [];
                    }

                    unknown = next.ValueKind == JsonValueKind.Array && next.GetArrayLength() > 0 ? next[0] : next;
                }
                else
                {
                    unknown = default;
                }
            }

            current = Step(current, segments[i]);
        }

        if (condition.JsonPath is { } jsonPath)
        {
            var parsed = new List<JsonElement>();
            foreach (var text in current.Where(v => v.ValueKind == JsonValueKind.String))
            {
                try
                {
                    parsed.Add(JsonDocument.Parse(text.GetString()!).RootElement.Clone());
                }
                catch (JsonException)
                {
                    // Not JSON: nothing to look into.
                }
            }

            current = parsed;
            foreach (var segment in jsonPath.Split('.'))
            {
                current = Step(current, segment);
            }
        }

        return [.. Flatten(current).Where(v => v.ValueKind != JsonValueKind.Null)];
    }

    private static List<JsonElement> Step(List<JsonElement> values, string name) =>
        [.. Flatten(values).Where(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty(name, out _)).Select(v => v.GetProperty(name))];

    private static IEnumerable<JsonElement> Flatten(IEnumerable<JsonElement> values)
    {
        foreach (var value in values)
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                foreach (var element in Flatten(value.EnumerateArray()))
                {
                    yield return element;
                }
            }
            else
            {
                yield return value;
            }
        }
    }

    private static bool Same(JsonElement value, JsonElement expected) => (value.ValueKind, expected.ValueKind) switch
    {
        (JsonValueKind.String, JsonValueKind.String) => value.GetString() == expected.GetString(),
        (JsonValueKind.Number, JsonValueKind.Number) => value.GetDecimal() == expected.GetDecimal(),
        (JsonValueKind.True or JsonValueKind.False, JsonValueKind.True or JsonValueKind.False) => value.ValueKind == expected.ValueKind,
        _ => false,
    };
}
