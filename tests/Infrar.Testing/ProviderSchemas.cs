using System.IO.Compression;
using System.Text.Json;
namespace Infrar.Testing;

/// <summary>The aws, google and azurerm provider schemas in ../shared/reference (as <c>terraform providers schema -json</c> prints them).</summary>
public static class ProviderSchemas
{
    private static readonly Dictionary<string, Lazy<JsonElement>> Schemas = new()
    {
        ["aws"] = new(() => Load("aws-full.json.gz")),
        ["gcp"] = new(() => Load("google-full.json.gz")),
        ["azure"] = new(() => Load("azurerm-full.json.gz")),
    };

    public static string Folder => Path.GetFullPath(Path.Combine(RepositoryRoot.Path, "..", "shared", "reference", "provider-schemas"));

    /// <summary>The schema of a provider's resource or data source, or null when the provider has none by that name.</summary>
    /// <summary>Every resource type of a provider, by name, with its block.</summary>
    public static IEnumerable<(string Type, JsonElement Block)> Resources(string provider) =>
        Schemas[provider].Value.GetProperty("resource_schemas").EnumerateObject().Select(r => (r.Name, r.Value.GetProperty("block")));

    public static JsonElement? Find(string provider, string kind, string type)
    {
        var schemas = Schemas[provider].Value.GetProperty(kind == "data" ? "data_source_schemas" : "resource_schemas");
        return schemas.TryGetProperty(type, out var schema) ? schema.GetProperty("block") : null;
    }

    private static JsonElement Load(string file)
    {
        if (!File.Exists(Path.Combine(Folder, file)))
        {
            throw new FileNotFoundException($"The {file} provider schema is not at {Folder}: the tests expect the shared folder beside the repository (../shared).");
        }

        using var gzip = new GZipStream(File.OpenRead(Path.Combine(Folder, file)), CompressionMode.Decompress);
        using var document = JsonDocument.Parse(gzip);
        return document.RootElement.GetProperty("provider_schemas").EnumerateObject().Single().Value.Clone();
    }
}
