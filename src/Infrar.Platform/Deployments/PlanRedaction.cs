using System.Text.Json.Nodes;

namespace Infrar.Platform.Deployments;

/// <summary>
/// Takes the values OpenTofu marks sensitive out of a plan's JSON before it is stored or shown: <c>tofu show -json</c>
/// writes them in plain text, flagged only beside them (<c>sensitive</c>, <c>sensitive_values</c>,
/// <c>before_sensitive</c>, <c>after_sensitive</c>). Each flagged value becomes <see cref="Redacted"/>. The
/// <c>configuration</c> section, which repeats literal values as written without flags, is left out whole.
/// </summary>
internal static class PlanRedaction
{
    public const string Redacted = "(sensitive)";

    public static string Redact(string planJson)
    {
        if (JsonNode.Parse(planJson) is not JsonObject plan)
        {
            return planJson;
        }

        plan.Remove("configuration");
        RedactValues(plan["planned_values"] as JsonObject);
        RedactValues((plan["prior_state"] as JsonObject)?["values"] as JsonObject);
        foreach (var change in (plan["resource_changes"] as JsonArray ?? []).OfType<JsonObject>().Select(c => c["change"]).OfType<JsonObject>())
        {
            RedactChange(change);
        }

        foreach (var change in (plan["output_changes"] as JsonObject ?? []).Select(c => c.Value).OfType<JsonObject>())
        {
            RedactChange(change);
        }

        return plan.ToJsonString();
    }

    /// <summary>A values tree (<c>planned_values</c>, <c>prior_state.values</c>): outputs by their flag, resources by their mask, modules within.</summary>
    private static void RedactValues(JsonObject? values)
    {
        if (values is null)
        {
            return;
        }

        foreach (var output in (values["outputs"] as JsonObject ?? []).Select(o => o.Value).OfType<JsonObject>())
        {
            if (output["sensitive"]?.GetValueKind() == System.Text.Json.JsonValueKind.True)
            {
                output["value"] = Redacted;
            }
        }

        RedactModule(values["root_module"] as JsonObject);
    }

    private static void RedactModule(JsonObject? module)
    {
        if (module is null)
        {
            return;
        }

        foreach (var resource in (module["resources"] as JsonArray ?? []).OfType<JsonObject>())
        {
            resource["values"] = Mask(resource["values"], resource["sensitive_values"]);
        }

        foreach (var child in (module["child_modules"] as JsonArray ?? []).OfType<JsonObject>())
        {
            RedactModule(child);
        }
    }

    private static void RedactChange(JsonObject change)
    {
        change["before"] = Mask(change["before"], change["before_sensitive"]);
        change["after"] = Mask(change["after"], change["after_sensitive"]);
    }

    /// <summary>The value with every part its mask marks <c>true</c> redacted; the mask mirrors the value's shape.</summary>
    private static JsonNode? Mask(JsonNode? value, JsonNode? mask)
    {
        if (value is null || mask is null)
        {
            return value;
        }

        if (mask.GetValueKind() == System.Text.Json.JsonValueKind.True)
        {
            return Redacted;
        }

        switch (value, mask)
        {
            case (JsonObject fields, JsonObject masks):
                foreach (var name in fields.Select(f => f.Key).ToList())
                {
                    if (masks[name] is { } fieldMask)
                    {
                        var masked = Mask(fields[name]?.DeepClone(), fieldMask);
                        fields[name] = masked;
                    }
                }

                break;
            case (JsonArray items, JsonArray masks):
                for (var i = 0; i < items.Count && i < masks.Count; i++)
                {
                    items[i] = Mask(items[i]?.DeepClone(), masks[i]);
                }

                break;
        }

        return value;
    }
}
