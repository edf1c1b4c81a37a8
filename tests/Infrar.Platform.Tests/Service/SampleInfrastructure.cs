using System.Text.Json;
using Infrar.Testing;

namespace Infrar.Platform.Tests.Service;

/// <summary>What the sample's build wrote for the local provider: its infra/local folder and its manifest.</summary>
public static class SampleInfrastructure
{
    private static readonly string Output = Path.Combine(
        RepositoryRoot.Path, "samples", "PhotoService", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug",
        "net10.0");

    public static string InfraFolder => Path.Combine(Output, "infra", "local");

    public static string ManifestFile => Path.Combine(Output, "infrar.manifest.json");

    /// <summary>The buckets the sample declares, as its manifest lists them (its queue is a folder the local queue makes itself).</summary>
    public static IReadOnlyList<string> Buckets =>
        [.. Manifest().GetProperty("resources").EnumerateArray()
            .Where(r => r.GetProperty("kind").GetString() == "bucket")
            .Select(r => r.GetProperty("name").GetString()!)];

    public static Dictionary<string, string> Files() =>
        Directory.GetFiles(InfraFolder)
            .Where(path => !Path.GetFileName(path).StartsWith('.'))
            .ToDictionary(path => Path.GetFileName(path), File.ReadAllText);

    public static JsonElement Manifest() => JsonDocument.Parse(File.ReadAllText(ManifestFile)).RootElement.Clone();
}
