using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Infrar.CatalogCompiler;
using Infrar.Generators.Catalog;
using Infrar.Testing;
using Xunit;

namespace Infrar.Catalog.Tests;

/// <summary>
/// The catalog as Infrar.CatalogCompiler reads it while Infrar is built: whatever is missing or malformed is refused,
/// naming the file (and line) and what to do, which fails the build of every component.
/// </summary>
public sealed class CatalogLoaderTests
{
    [Fact]
    public void The_repository_s_catalog_reads_whole()
    {
        var catalog = CatalogLoader.Load(CatalogFiles());

        Assert.Equal(["aws", "azure", "gcp", "local"], catalog.Providers.Keys.Order());
        Assert.Equal(["aws", "azure", "gcp"], catalog.Clouds.Select(p => p.Id));
        Assert.Equal("local", catalog.DefaultProvider);
        Assert.Equal(["aws", "azure", "gcp", "local"], catalog.Infrastructure.Keys.Order());
        Assert.All(catalog.Clouds, provider => Assert.All(provider.Storage!.Operations.Values, operation =>
        {
            Assert.NotEmpty(operation.Permissions);
            Assert.False(string.IsNullOrWhiteSpace(operation.Code), $"{provider.Id} {operation.Id} has code");
        }));
    }

    [Fact]
    public void Every_cloud_says_which_queue_names_it_accepts_and_a_rule_that_does_not_parse_is_refused()
    {
        var catalog = CatalogLoader.Load(CatalogFiles());
        Assert.Equal(["Amazon SQS", "Azure Storage Queues", "Pub/Sub"], catalog.Clouds.Select(p => p.Queues!.Service));
        Assert.Null(catalog.Providers["local"].Queues);

        var missing = CatalogFiles();
        missing.Remove("providers/azure/queues/queues.yaml");
        Assert.Equal(
            "catalog/providers/azure/: no queues/queues.yaml; every provider but the default implements queues.",
            Assert.Throws<CatalogException>(() => CatalogLoader.Load(missing)).Message);

        var broken = CatalogFiles();
        broken["providers/aws/queues/queues.yaml"] = broken["providers/aws/queues/queues.yaml"].Replace("^[A-Za-z0-9_-]*\\\\z", "^[A-Za-z0-9_-*\\\\z", StringComparison.Ordinal);
        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(broken));
        Assert.StartsWith("catalog/providers/aws/queues/queues.yaml: queue_naming[].must '^[A-Za-z0-9_-*\\z' is not a regular expression:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Each_cloud_says_how_the_service_signs_in_to_its_registry_and_a_sign_in_that_names_two_ways_is_refused()
    {
        var catalog = CatalogLoader.Load(CatalogFiles());
        Assert.Equal(new RegistryLogin(null, null, null, "ecr"), catalog.Providers["aws"].Hosting.RegistryLogin);
        Assert.Equal(new RegistryLogin("_json_key", null, "GOOGLE_CREDENTIALS", null), catalog.Providers["gcp"].Hosting.RegistryLogin);
        Assert.Equal(new RegistryLogin(null, "ARM_CLIENT_ID", "ARM_CLIENT_SECRET", null), catalog.Providers["azure"].Hosting.RegistryLogin);
        Assert.Equal([null, "app_url", "service_url", null], catalog.Providers.Keys.Order().Select(id => catalog.Providers[id].Hosting.UrlOutput));
        Assert.Null(catalog.Providers["local"].Hosting.RegistryLogin);

        var files = CatalogFiles();
        files["providers/aws/provider.yaml"] = files["providers/aws/provider.yaml"].Replace("    token: ecr\n", "    token: ecr\n    password_credential: AWS_SECRET_ACCESS_KEY\n", StringComparison.Ordinal);
        Assert.Equal(
            "catalog/providers/aws/provider.yaml: hosting.registry_login takes either token, or a password_credential with one of username and username_credential.",
            Assert.Throws<CatalogException>(() => CatalogLoader.Load(files)).Message);
    }

    [Fact]
    public void A_provider_without_a_method_for_an_operation_is_refused_naming_both()
    {
        var files = CatalogFiles();
        files["providers/gcp/storage/Operations.cs"] = RemoveMethod(files["providers/gcp/storage/Operations.cs"], "exists");

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(files));

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

    [Fact]
    public void Provider_code_that_does_not_parse_is_reported_with_its_file_and_line()
    {
        var files = CatalogFiles();
        files["providers/aws/storage/Operations.cs"] = files["providers/aws/storage/Operations.cs"].Replace(
            "await AmazonS3Storage.Client.DeleteObjectAsync(bucket.PhysicalName, key, cancellationToken).ConfigureAwait(false);",
            "await AmazonS3Storage.Client.DeleteObjectAsync(bucket.PhysicalName, key, cancellationToken.ConfigureAwait(false);",
            StringComparison.Ordinal);

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(files));

        Assert.Matches(@"^catalog/providers/aws/storage/Operations\.cs\(\d+,\d+\): \) expected", error.Message);
    }

    [Fact]
    public void Provider_code_with_a_using_directive_is_refused_since_the_generated_file_has_none()
    {
        var files = CatalogFiles();
        files["providers/aws/storage/Operations.cs"] = "using System.IO;\n" + files["providers/aws/storage/Operations.cs"];

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(files));

        Assert.StartsWith("catalog/providers/aws/storage/Operations.cs(1,1): catalog code uses no using directive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_infrastructure_file_listed_but_missing_is_refused_by_name()
    {
        var files = CatalogFiles();
        files.Remove("providers/azure/infrastructure/iam.tf");

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(files));

        Assert.Equal(
            "catalog/providers/azure/infrastructure/infrastructure.yaml: files names iam.tf, but there is no catalog/providers/azure/infrastructure/iam.tf.",
            error.Message);
    }

    /// <summary>Every file of catalog/ the compiler reads, by path relative to it.</summary>
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
