using System.Text.Json;
using System.Text.Json.Nodes;

namespace Infrar.Build.Infrastructure;

/// <summary>
/// The checked-in list of grants a reviewer has accepted (<c>infrar.permissions.json</c>): per provider, one line per
/// grant such as <c>photos: s3:GetObject</c>. A build whose code needs more fails and lists what was added and where.
/// </summary>
internal static class PermissionBaseline
{
    /// <summary>The grants the baseline accepts for <paramref name="provider"/>; none when it has no entry for it.</summary>
    public static IReadOnlySet<string> Read(string path, string provider)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }

        if (root?["version"]?.GetValue<int>() != 1)
        {
            throw new InvalidDataException($"{path}: \"version\" must be 1.");
        }

        return root["grants"]?[provider]?.AsArray().Select(n => n!.GetValue<string>()).ToHashSet(StringComparer.Ordinal)
            ?? new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>The grants the code needs that the baseline does not list.</summary>
    public static IReadOnlyList<Grant> Added(IReadOnlySet<string> baseline, IReadOnlyList<Grant> grants) =>
        [.. grants.Where(g => !baseline.Contains(g.Key))];

    /// <summary>Writes the current provider's grants into the baseline, keeping the other providers' entries.</summary>
    public static void Write(string path, string provider, IReadOnlyList<Grant> grants)
    {
        var root = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))!.AsObject() : [];
        root["version"] = 1;
        var all = root["grants"] as JsonObject ?? [];
        all[provider] = new JsonArray([.. grants.Select(g => (JsonNode)JsonValue.Create(g.Key)!)]);
        root["grants"] = new JsonObject(all.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        FileWriter.WriteIfChanged(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
