using System.Globalization;
using System.Text;

namespace Infrar.Platform.Deployments;

/// <summary>
/// Where an environment's OpenTofu state lives: for <c>local</c>, a file in the working copy that the service keeps in
/// its database between runs; for the clouds, the provider's remote backend (s3, gcs, azurerm), from the environment's
/// state settings. Written into the working copy as <c>infrar_backend.tf</c>.
/// </summary>
internal static class StateBackend
{
    /// <summary>The state settings each provider's backend needs, for validating an environment when it is created.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Required = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["local"] = [],
        ["aws"] = ["bucket"],
        ["gcp"] = ["bucket"],
        ["azure"] = ["resource_group_name", "storage_account_name", "container_name"],
    };

    public static string Render(string provider, string project, string environment, string? region, IReadOnlyDictionary<string, string> state)
    {
        var key = $"infrar/{project}/{environment}";
        var settings = provider switch
        {
            "local" => [("path", "terraform.tfstate")],
            "aws" => new List<(string, string)>
            {
                ("bucket", state["bucket"]),
                ("key", key + "/terraform.tfstate"),
                ("region", state.GetValueOrDefault("region") ?? region ?? "us-east-1"),
                ("use_lockfile", "true"),
            },
            "gcp" => [("bucket", state["bucket"]), ("prefix", key)],
            "azure" =>
            [
                ("resource_group_name", state["resource_group_name"]),
                ("storage_account_name", state["storage_account_name"]),
                ("container_name", state["container_name"]),
                ("key", key + "/terraform.tfstate"),
            ],
            _ => throw new ArgumentException($"No state backend for provider '{provider}'.", nameof(provider)),
        };
        var backend = provider switch { "aws" => "s3", "gcp" => "gcs", "azure" => "azurerm", _ => "local" };

        // Aligned as `tofu fmt` aligns them.
        var width = settings.Max(s => s.Item1.Length);
        var text = new StringBuilder();
        text.Append("# Written by Infrar.Platform: where this environment's state is kept.\n");
        text.Append("terraform {\n");
        text.Append(CultureInfo.InvariantCulture, $"  backend \"{backend}\" {{\n");
        foreach (var (name, value) in settings)
        {
            var literal = value == "true" ? value : Quote(value);
            text.Append(CultureInfo.InvariantCulture, $"    {name.PadRight(width)} = {literal}\n");
        }

        text.Append("  }\n}\n");
        return text.ToString();
    }

    private static string Quote(string value) => RunWorkspace.Quote(value);
}
