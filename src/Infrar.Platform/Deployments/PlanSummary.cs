using System.Text.Json;

namespace Infrar.Platform.Deployments;

/// <summary>What a plan would do, counted from <c>tofu show -json</c>'s resource_changes.</summary>
internal sealed record PlanSummary(int Adds, int Changes, int Destroys)
{
    public static PlanSummary FromPlanJson(string planJson)
    {
        using var plan = JsonDocument.Parse(planJson);
        int adds = 0, changes = 0, destroys = 0;
        if (plan.RootElement.TryGetProperty("resource_changes", out var resourceChanges))
        {
            foreach (var change in resourceChanges.EnumerateArray())
            {
                var actions = change.GetProperty("change").GetProperty("actions").EnumerateArray().Select(a => a.GetString()).ToList();
                // A replacement is both a destroy and an add, as OpenTofu's own summary counts it.
                adds += actions.Contains("create") ? 1 : 0;
                changes += actions.Contains("update") ? 1 : 0;
                destroys += actions.Contains("delete") ? 1 : 0;
            }
        }

        return new PlanSummary(adds, changes, destroys);
    }
}
