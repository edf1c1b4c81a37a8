using System.Text;
using Infrar.Generators.Catalog;
using Infrar.Generators.Specs;
using Infrar.Testing;
using Xunit;

namespace Infrar.Generators.Tests;

/// <summary>
/// MSBuild cannot read the catalog, so what the build files need from it is written from the catalog into
/// src/Infrar.Build/build/: the providers and the default one (Infrar.Catalog.props), and the packages each provider
/// adds (Infrar.Providers.props). These keep them in step; INFRAR_ACCEPT_SNAPSHOTS=1 rewrites them.
/// </summary>
public sealed class BuildFilesTests
{
    [Fact]
    public void Infrar_Catalog_props_names_the_catalogs_providers_and_its_default() =>
        AssertInStep("Infrar.Catalog.props", CatalogProps(EmbeddedCatalog.Value));

    [Fact]
    public void Infrar_Providers_props_lists_exactly_the_catalogs_packages() =>
        AssertInStep("Infrar.Providers.props", ProvidersProps(EmbeddedCatalog.Value));

    private static void AssertInStep(string file, string expected)
    {
        var path = Path.Combine(RepositoryRoot.Path, "src", "Infrar.Build", "build", file);
        if (Environment.GetEnvironmentVariable("INFRAR_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        var actual = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n") : "";
        Assert.True(expected == actual, $"{file} is out of step with the catalog (INFRAR_ACCEPT_SNAPSHOTS=1 rewrites it):\n{Snapshot.Diff(expected, actual)}");
    }

    private static string CatalogProps(InfrarCatalog catalog)
    {
        var providers = string.Join(";", new[] { catalog.DefaultProvider }.Concat(catalog.Clouds.Select(p => p.Id)));
        return $"""
            <Project>
              <!-- Written from catalog/providers/*/provider.yaml; BuildFilesTests keeps it in step. -->
              <PropertyGroup>
                <!-- The provider of a build that names none: its calls run Infrar.Sdk's own code. -->
                <InfrarDefaultProvider>{catalog.DefaultProvider}</InfrarDefaultProvider>
                <InfrarProviders>{providers}</InfrarProviders>
              </PropertyGroup>
            </Project>

            """;
    }

    /// <summary>What a build for the provider references: its storage packages, then its queue packages not already among them.</summary>
    private static IEnumerable<PackageSpec> Packages(ProviderCatalog provider) =>
        provider.Storage!.Packages.Concat(provider.Queues?.Packages ?? EquatableArray<PackageSpec>.Empty).DistinctBy(p => p.Id);

    private static string ProvidersProps(InfrarCatalog catalog)
    {
        var text = new StringBuilder();
        text.Append("<Project>\n");
        text.Append("  <!--\n");
        text.Append("    Written from catalog/providers/*/{storage,queues}/*.yaml (packages); BuildFilesTests keeps it in step.\n");
        text.Append("    Each package is added unless the project references it already. With Central Package Management it is\n");
        text.Append("    referenced without a version (a Version there is NU1008), and versioned here only if the project's\n");
        text.Append("    Directory.Packages.props does not version it.\n");
        text.Append("  -->\n");
        foreach (var provider in catalog.Clouds)
        {
            text.Append($"  <ItemGroup Condition=\"'$(InfrarProvider)' == '{provider.Id}' and '$(ManagePackageVersionsCentrally)' == 'true'\">\n");
            foreach (var package in Packages(provider))
            {
                text.Append($"    <PackageVersion Include=\"{package.Id}\" Version=\"{package.Version}\" Condition=\"'@(PackageVersion->AnyHaveMetadataValue('Identity', '{package.Id}'))' != 'true'\" />\n");
            }

            text.Append("  </ItemGroup>\n");
            text.Append($"  <ItemGroup Condition=\"'$(InfrarProvider)' == '{provider.Id}'\">\n");
            foreach (var package in Packages(provider))
            {
                var unreferenced = $"'@(PackageReference->AnyHaveMetadataValue('Identity', '{package.Id}'))' != 'true'";
                text.Append($"    <PackageReference Include=\"{package.Id}\" Version=\"{package.Version}\" InfrarProviderPackage=\"true\" Condition=\"'$(ManagePackageVersionsCentrally)' != 'true' and {unreferenced}\" />\n");
                text.Append($"    <PackageReference Include=\"{package.Id}\" InfrarProviderPackage=\"true\" Condition=\"'$(ManagePackageVersionsCentrally)' == 'true' and {unreferenced}\" />\n");
            }

            text.Append("  </ItemGroup>\n");
        }

        text.Append("</Project>\n");
        return text.ToString();
    }

    [Fact]
    public void The_repositorys_central_versions_of_provider_SDKs_are_the_catalogs()
    {
        // Infrar's tests and benchmarks compile the generated code against these; users get the catalog's.
        var central = System.Xml.Linq.XDocument.Load(Path.Combine(RepositoryRoot.Path, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);

        foreach (var package in EmbeddedCatalog.Value.Clouds.SelectMany(Packages))
        {
            Assert.True(central.TryGetValue(package.Id, out var version), $"Directory.Packages.props has no version of {package.Id}");
            Assert.True(version == package.Version, $"Directory.Packages.props has {package.Id} {version}; the catalog names {package.Version}");
        }
    }
}
