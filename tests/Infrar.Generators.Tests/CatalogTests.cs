using System.Reflection;
using Infrar.Generators.Catalog;
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
        files["providers/aws.yaml"] = files["providers/aws.yaml"].Replace(
            "await AmazonS3Storage.Client.DeleteObjectAsync(bucket.PhysicalName, key, cancellationToken).ConfigureAwait(false);",
            "await AmazonS3Storage.Client.DeleteObjectAsync(new global::Amazon.S3.Model.DeleteObjectRequest { BucketName = bucket.PhysicalName, Key = key }, cancellationToken).ConfigureAwait(false);",
            StringComparison.Ordinal);

        var result = GeneratorHarness.Run("aws", [("PhotoLibrary.cs", Sources.EveryOperation)], new StorageGenerator(CatalogLoader.Load(files)));

        var text = result.GeneratedSources["Infrar.Storage.Aws.g.cs"];
        Assert.Contains("DeleteObjectAsync(new global::Amazon.S3.Model.DeleteObjectRequest { BucketName = bucket.PhysicalName, Key = key }", text, StringComparison.Ordinal);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void The_embedded_catalog_is_the_one_in_the_repository()
    {
        var fromDisk = CatalogLoader.Load(CatalogFiles());

        Assert.Equal(fromDisk.Operations.Keys.Order(), CatalogLoader.Default.Operations.Keys.Order());
        foreach (var provider in fromDisk.Providers.Values)
        {
            var embedded = CatalogLoader.Default.Providers[provider.Id].Storage;
            Assert.Equal(provider.Storage.Support, embedded.Support);
            Assert.All(provider.Storage.Operations, pair => Assert.Equal(pair.Value, embedded.Operations[pair.Key]));
        }
    }

    [Fact]
    public void A_provider_without_code_for_an_operation_is_refused_by_name()
    {
        var files = CatalogFiles();
        files["providers/gcp.yaml"] = RemoveOperation(files["providers/gcp.yaml"], "exists");

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(files));

        Assert.Equal("providers/gcp.yaml: storage.operations lacks exists; every operation of capabilities/storage.yaml needs code on every provider.", error.Message);
    }

    [Fact]
    public void Malformed_yaml_is_reported_with_its_file_and_line()
    {
        var files = CatalogFiles();
        files["providers/azure.yaml"] = "provider: azure\nstorage:\n  service: [unclosed\n";

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(files));

        Assert.StartsWith("catalog/providers/azure.yaml(", error.Message, StringComparison.Ordinal);
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
        foreach (var provider in CatalogLoader.Default.Providers.Values)
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
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "catalog"), "*.yaml", SearchOption.AllDirectories)
            .ToDictionary(
                path => Path.GetRelativePath(Path.Combine(RepositoryRoot.Path, "catalog"), path).Replace('\\', '/'),
                File.ReadAllText);

    private static string RemoveOperation(string yaml, string operation)
    {
        var lines = yaml.Split('\n').ToList();
        var start = lines.FindIndex(l => l == $"    {operation}:");
        var end = lines.FindIndex(start + 1, l => l.StartsWith("    ", StringComparison.Ordinal) && !l.StartsWith("     ", StringComparison.Ordinal));
        lines.RemoveRange(start, end - start);
        return string.Join('\n', lines);
    }
}
