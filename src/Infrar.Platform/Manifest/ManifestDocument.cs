using System.Text.Json;
using System.Text.Json.Serialization;

namespace Infrar.Platform.Manifest;

/// <summary><c>infrar.manifest.json</c> as the platform reads it (docs/manifest.md, schema version 1).</summary>
internal sealed record ManifestDocument(int SchemaVersion, string Project, string Provider, ManifestService Service, IReadOnlyList<ManifestResource> Resources)
{
    public static ManifestDocument Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: no such manifest. Build the app first: dotnet build writes infrar.manifest.json beside it.");
        }

        ManifestDocument? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllText(path), ManifestJson.Default.ManifestDocument);
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}({(e.LineNumber ?? 0) + 1}): not a valid manifest: {e.Message}");
        }

        if (manifest is null || manifest.SchemaVersion != 1)
        {
            throw new InputException($"{path}: schemaVersion {manifest?.SchemaVersion} is not one this version of infrar reads (1).");
        }

        return manifest;
    }

    /// <summary>A manifest as a deployment carries it; null when it is not one this version reads.</summary>
    public static ManifestDocument? TryParse(string json)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize(json, ManifestJson.Default.ManifestDocument);
            return manifest?.SchemaVersion == 1 ? manifest : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal sealed record ManifestService(string Name, int Port, decimal Cpu, int MemoryMiB, int MinInstances);

internal sealed record ManifestResource(string Kind, string Name, string DeclaredAt, IReadOnlyList<ManifestOperation> Operations);

internal sealed record ManifestOperation(string Id, string Access, IReadOnlyList<string> CallSites);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ManifestDocument))]
internal sealed partial class ManifestJson : JsonSerializerContext;
