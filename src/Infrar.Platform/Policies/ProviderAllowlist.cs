using Infrar.Generators.Catalog;
using Infrar.Platform.Policies.Hcl;

namespace Infrar.Platform.Policies;

/// <summary>A provider a deployment may use, and the provider-block arguments it may set (null: any).</summary>
internal sealed record AllowedProvider(string LocalName, string Source, string? Version, IReadOnlySet<string>? Configuration);

/// <summary>
/// The OpenTofu providers submitted infrastructure may use. By default exactly those the catalog's infrastructure
/// templates declare (their <c>required_providers</c>, with the version each pins), each configured only with the
/// arguments those templates set, plus OpenTofu's built-in <c>terraform</c> provider. An admin can allow more sources.
/// </summary>
internal sealed class ProviderAllowlist
{
    public const string BuiltIn = "terraform.io/builtin/terraform";

    private readonly Dictionary<string, AllowedProvider> _bySource;

    public ProviderAllowlist(IEnumerable<AllowedProvider> providers)
    {
        _bySource = new Dictionary<string, AllowedProvider>(StringComparer.Ordinal);
        foreach (var provider in providers)
        {
            _bySource[Normalize(provider.Source)] = provider;
        }

        _bySource[BuiltIn] = new AllowedProvider("terraform", BuiltIn, null, new HashSet<string>(StringComparer.Ordinal));
    }

    public static ProviderAllowlist Catalog { get; } = new(FromCatalog());

    public IReadOnlyCollection<AllowedProvider> Providers => _bySource.Values;

    /// <summary>The allowlist with extra sources an admin allowed, configurable without restriction.</summary>
    public ProviderAllowlist With(IEnumerable<string> extraSources) =>
        new(_bySource.Values.Where(p => p.Source != BuiltIn).Concat(extraSources.Select(source =>
            new AllowedProvider(Normalize(source).Split('/')[^1], source, null, null))));

    public AllowedProvider? Find(string source) => _bySource.GetValueOrDefault(Normalize(source));

    /// <summary>
    /// A provider source as <c>namespace/type</c> in lower case: the public registries of OpenTofu and Terraform name the
    /// same providers, so their host names are dropped; any other host is kept and so matches nothing by default.
    /// </summary>
    public static string Normalize(string source)
    {
        var parts = source.Trim().ToLowerInvariant().Split('/');
        return parts.Length switch
        {
            2 => $"{parts[0]}/{parts[1]}",
            3 when parts[0] is "registry.terraform.io" or "registry.opentofu.org" => $"{parts[1]}/{parts[2]}",
            3 when parts[0] == "terraform.io" && parts[1] == "builtin" => BuiltIn,
            _ => source.Trim().ToLowerInvariant(),
        };
    }

    private static IEnumerable<AllowedProvider> FromCatalog()
    {
        foreach (var (name, infrastructure) in EmbeddedCatalog.Value.Infrastructure.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            if (infrastructure.Files.FirstOrDefault(f => f.Key == "versions.tf").Value is not { } versions)
            {
                continue;
            }

            var body = HclBody.Parse(HclLexer.Tokenize(versions));
            var configuration = body.Blocks
                .Where(b => b.Type == "provider" && b.Labels.Count == 1)
                .ToDictionary(
                    b => b.Labels[0],
                    b => (IReadOnlySet<string>)b.Body.Attributes.Select(a => a.Name).Concat(b.Body.Blocks.Select(n => n.Type)).ToHashSet(StringComparer.Ordinal));
            foreach (var required in body.Blocks.Where(b => b.Type == "terraform").SelectMany(b => b.Body.Blocks).Where(b => b.Type == "required_providers"))
            {
                foreach (var entry in required.Body.Attributes)
                {
                    var settings = HclLiterals.StringObject(entry.Expression)
                        ?? throw new InvalidOperationException($"catalog {name}: required_providers.{entry.Name} is not a literal object");
                    yield return new AllowedProvider(
                        entry.Name,
                        settings["source"],
                        settings.GetValueOrDefault("version"),
                        configuration.GetValueOrDefault(entry.Name) ?? new HashSet<string>(StringComparer.Ordinal));
                }
            }
        }
    }
}
