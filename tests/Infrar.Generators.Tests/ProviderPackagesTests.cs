using System.Text;
using Infrar.Generators.Catalog;
using Infrar.Testing;
using Xunit;

namespace Infrar.Generators.Tests;

/// <summary>
/// MSBuild cannot read the catalog, so the package references it adds per provider are written from the catalog
/// into src/Infrar.Build/build/Infrar.Providers.props; this keeps the two in step.
/// </summary>
public sealed class ProviderPackagesTests
{
    [Fact]
    public void Infrar_Providers_props_lists_exactly_the_catalogs_packages()
    {
        var path = Path.Combine(RepositoryRoot.Path, "src", "Infrar.Build", "build", "Infrar.Providers.props");
        var expected = Render(EmbeddedCatalog.Value);

        if (Environment.GetEnvironmentVariable("INFRAR_ACCEPT_SNAPSHOTS") == "1")
        {
            File.WriteAllText(path, expected);
        }

        var actual = File.ReadAllText(path).Replace("\r\n", "\n");
        Assert.True(expected == actual, $"Infrar.Providers.props is out of step with the catalog (INFRAR_ACCEPT_SNAPSHOTS=1 rewrites it):\n{Snapshot.Diff(expected, actual)}");
    }

    private static string Render(InfrarCatalog catalog)
    {
        var text = new StringBuilder();
        text.Append("<Project>\n");
        text.Append("  <!-- Generated from catalog/providers/*.yaml (storage.packages); ProviderPackagesTests keeps it in step. -->\n");
        foreach (var provider in catalog.Providers.Values.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            text.Append($"  <ItemGroup Condition=\"'$(InfrarProvider)' == '{provider.Id}'\">\n");
            foreach (var package in provider.Storage.Packages)
            {
                text.Append($"    <PackageReference Include=\"{package.Id}\" Version=\"{package.Version}\" InfrarProviderPackage=\"true\" Condition=\"'@(PackageReference->AnyHaveMetadataValue('Identity', '{package.Id}'))' != 'true'\" />\n");
            }

            text.Append("  </ItemGroup>\n");
        }

        text.Append("</Project>\n");
        return text.ToString();
    }
}
