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
    public void Changing_an_operation_in_the_catalog_changes_the_generated_code()
    {
        var catalog = EmbeddedCatalog.Value;
        var aws = catalog.Providers["aws"];
        var storage = aws.Storage!;
        var delete = storage.Operations["delete"];
        var operations = storage.Operations.ToDictionary(pair => pair.Key, pair => pair.Value);
        operations["delete"] = delete with
        {
            Code = delete.Code.Replace(
                "DeleteObjectAsync(bucket.PhysicalName, key, cancellationToken)",
                "DeleteObjectAsync(new global::Amazon.S3.Model.DeleteObjectRequest { BucketName = bucket.PhysicalName, Key = key }, cancellationToken)",
                StringComparison.Ordinal),
        };
        var providers = catalog.Providers.ToDictionary(pair => pair.Key, pair => pair.Value);
        providers["aws"] = aws with { Storage = storage with { Operations = operations } };

        var result = GeneratorHarness.Run("aws", [("PhotoLibrary.cs", Sources.EveryOperation)], new StorageGenerator(catalog with { Providers = providers }));

        var text = result.GeneratedSources["Infrar.Storage.Aws.g.cs"];
        Assert.Contains("DeleteObjectAsync(new global::Amazon.S3.Model.DeleteObjectRequest { BucketName = bucket.PhysicalName, Key = key }", text, StringComparison.Ordinal);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Every_rewritable_sdk_method_names_a_catalog_operation_and_passes_the_syntax_filter()
    {
        var methods = new[] { typeof(Bucket), typeof(Queue) }
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Select(m => (m.Name, Operation: m.GetCustomAttribute<InfrarOperationAttribute>()?.Id))
            .Where(m => m.Operation is not null)
            .ToList();

        Assert.Equal(EmbeddedCatalog.Value.Capabilities.Values.SelectMany(c => c.Operations.Keys).Order(), methods.Select(m => m.Operation!).Order());
        Assert.All(methods, m => Assert.Contains(m.Name, CallSiteParser.MethodNames));
        Assert.Equal(CallSiteParser.MethodNames.Order(), methods.Select(m => m.Name).Distinct().Order());
    }

    [Fact]
    public void Every_permission_and_template_is_given_for_every_operation_on_every_cloud()
    {
        foreach (var provider in EmbeddedCatalog.Value.Clouds)
        {
            Assert.All(provider.Storage!.Operations.Values, template =>
            {
                Assert.NotEmpty(template.Permissions);
                Assert.False(string.IsNullOrWhiteSpace(template.Code));
            });
        }

        Assert.Equal(["aws", "azure", "gcp"], EmbeddedCatalog.Value.Clouds.Select(p => p.Id));
        Assert.Equal("local", EmbeddedCatalog.Value.DefaultProvider);
    }
}
