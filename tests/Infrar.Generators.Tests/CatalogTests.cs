using System.Reflection;
using Infrar.Generators.Catalog;
using Infrar.Generators.CatalogCode;
using Infrar.Generators.Parsing;
using Infrar.Internal;
using Infrar.Testing;
using Xunit;

namespace Infrar.Generators.Tests;

/// <summary>The catalog is the one source of what each provider does; the generator only interprets it.</summary>
public sealed class CatalogTests
{
    [Fact]
    public void Changing_a_template_in_the_catalog_changes_the_generated_code()
    {
        var files = CatalogFiles();
        files["providers/aws/storage/Operations.cs"] = files["providers/aws/storage/Operations.cs"].Replace(
            "await AmazonS3Storage.Client.DeleteObjectAsync(bucket.PhysicalName, key, cancellationToken).ConfigureAwait(false);",
            "await AmazonS3Storage.Client.DeleteObjectAsync(new global::Amazon.S3.Model.DeleteObjectRequest { BucketName = bucket.PhysicalName, Key = key }, cancellationToken).ConfigureAwait(false);",
            StringComparison.Ordinal);

        var result = GeneratorHarness.Run("aws", [("PhotoLibrary.cs", Sources.EveryOperation)], new StorageGenerator(CatalogLoader.Load(files, CapabilityCodeReader.Read)));

        var text = result.GeneratedSources["Infrar.Storage.Aws.g.cs"];
        Assert.Contains("DeleteObjectAsync(new global::Amazon.S3.Model.DeleteObjectRequest { BucketName = bucket.PhysicalName, Key = key }", text, StringComparison.Ordinal);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void The_embedded_catalog_is_the_one_in_the_repository()
    {
        var fromDisk = CatalogLoader.Load(CatalogFiles(), CapabilityCodeReader.Read);

        Assert.Equal(fromDisk.Operations.Keys.Order(), GeneratorCatalog.Default.Operations.Keys.Order());
        foreach (var provider in fromDisk.Providers.Values)
        {
            var embedded = GeneratorCatalog.Default.Providers[provider.Id].Storage;
            Assert.Equal(provider.Storage.Support, embedded.Support);
            Assert.All(provider.Storage.Operations, pair => Assert.Equal(pair.Value, embedded.Operations[pair.Key]));
        }
    }

    [Fact]
    public void A_provider_without_a_method_for_an_operation_is_refused_naming_both()
    {
        var files = CatalogFiles();
        files["providers/gcp/storage/Operations.cs"] = RemoveMethod(files["providers/gcp/storage/Operations.cs"], "exists");

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(files, CapabilityCodeReader.Read));

        Assert.Equal(
            "catalog/providers/gcp/storage/: no method implements exists; every operation of capabilities/storage.yaml needs an [InfrarOperation] method on every provider.",
            error.Message);
    }

    [Fact]
    public void A_provider_without_the_permissions_of_an_operation_is_refused_naming_both()
    {
        var files = CatalogFiles();
        files["providers/gcp/storage/storage.yaml"] = files["providers/gcp/storage/storage.yaml"].Replace("  exists:\n    permissions: [storage.objects.get]\n", "", StringComparison.Ordinal);

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(files));

        Assert.Equal(
            "providers/gcp/storage/storage.yaml: operations lacks exists; every operation of capabilities/storage.yaml needs its permissions on every provider.",
            error.Message);
    }

    [Fact]
    public void Malformed_yaml_is_reported_with_its_file_and_line()
    {
        var files = CatalogFiles();
        files["providers/azure/storage/storage.yaml"] = "service: [unclosed\n";

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(files));

        Assert.StartsWith("catalog/providers/azure/storage/storage.yaml(", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    {\n        using var response", "catalog/providers/aws/storage/Operations.cs(")]
    [InlineData("namespace Infrar.Catalog.Aws;", "catalog/providers/aws/storage/Operations.cs(1,1): catalog code uses no using directive")]
    public void Broken_provider_code_is_reported_with_its_file_and_line(string replaced, string expected)
    {
        var files = CatalogFiles();
        var code = files["providers/aws/storage/Operations.cs"];
        files["providers/aws/storage/Operations.cs"] = replaced.StartsWith("namespace", StringComparison.Ordinal)
            ? "using System;\n" + code
            : code.Replace(replaced, "    {\n        using var response = ;", StringComparison.Ordinal);

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(files, CapabilityCodeReader.Read));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rewritable_sdk_method_names_a_catalog_operation_and_passes_the_syntax_filter()
    {
        var methods = typeof(Bucket).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Select(m => (m.Name, Operation: m.GetCustomAttribute<InfrarOperationAttribute>()?.Id))
            .Where(m => m.Operation is not null)
            .ToList();

        Assert.Equal(CatalogLoader.Default.Operations.Keys.Order(), methods.Select(m => m.Operation!).Order());
        Assert.All(methods, m => Assert.Contains(m.Name, CallSiteParser.MethodNames));
        Assert.Equal(CallSiteParser.MethodNames.Order(), methods.Select(m => m.Name).Distinct().Order());
    }

    [Fact]
    public void Every_permission_and_template_is_given_for_every_operation_on_every_cloud()
    {
        foreach (var provider in GeneratorCatalog.Default.Providers.Values)
        {
            Assert.All(provider.Storage.Operations.Values, template =>
            {
                Assert.NotEmpty(template.Permissions);
                Assert.False(string.IsNullOrWhiteSpace(template.Code));
            });
        }

        Assert.Equal(["aws", "azure", "gcp"], CatalogLoader.Default.Providers.Keys.Order());
    }

    internal static Dictionary<string, string> CatalogFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "catalog"), "*", SearchOption.AllDirectories)
            .Where(path => Path.GetExtension(path) is ".yaml" or ".cs" or ".tf")
            .ToDictionary(
                path => Path.GetRelativePath(Path.Combine(RepositoryRoot.Path, "catalog"), path).Replace('\\', '/'),
                File.ReadAllText);

    /// <summary>The C# file without the method that implements <paramref name="operation"/>, attribute to closing brace.</summary>
    private static string RemoveMethod(string code, string operation)
    {
        var lines = code.Split('\n').ToList();
        var start = lines.FindIndex(l => l.Contains($"[global::Infrar.Internal.InfrarOperation(\"{operation}\")]", StringComparison.Ordinal));
        var end = lines.FindIndex(start, l => l == "    }");
        lines.RemoveRange(start, end - start + 1);
        return string.Join('\n', lines);
    }
}
