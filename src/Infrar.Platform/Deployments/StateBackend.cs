using Infrar.Build.Infrastructure;
using Infrar.Generators.Catalog;

namespace Infrar.Platform.Deployments;

/// <summary>
/// Where an environment's OpenTofu state lives, as the catalog says for its provider (<c>state</c> in provider.yaml,
/// the template in <c>state/backend.tf</c>): a remote backend from the environment's state settings, or a local file the
/// service keeps between runs. Written into the working copy as <c>infrar_backend.tf</c>.
/// </summary>
internal static class StateBackend
{
    /// <summary>The backend file of one environment's runs.</summary>
    public static string Render(ProviderCatalog provider, string project, string environment, string? region, IReadOnlyDictionary<string, string> state)
    {
        var key = $"infrar/{project}/{environment}";
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["key"] = Quote(key + "/terraform.tfstate"),
            ["prefix"] = Quote(key),
            ["region"] = Quote(state.GetValueOrDefault("region") ?? region ?? provider.DefaultRegion ?? ""),
        };
        foreach (var setting in provider.State.Settings)
        {
            if (state.GetValueOrDefault(setting.Name) is { } value)
            {
                values[setting.Name] = Quote(value);
            }
        }

        return TemplateRenderer.Render(provider.State.Template, values, $"providers/{provider.Id}/state/backend.tf");
    }

    private static string Quote(string value) => RunWorkspace.Quote(value);
}
