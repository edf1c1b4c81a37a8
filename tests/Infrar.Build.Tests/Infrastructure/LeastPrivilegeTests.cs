using System.Text.RegularExpressions;
using Infrar.Build.Infrastructure;
using Infrar.Generators.Catalog;
using Infrar.Testing;
using Xunit;

namespace Infrar.Build.Tests.Infrastructure;

/// <summary>The app is granted what its calls need, on the buckets they touch, and nothing else.</summary>
public sealed class LeastPrivilegeTests
{
    private const string ReadOnly = """
        using System.Threading.Tasks;
        using Infrar;
        namespace App;
        public static class Gallery
        {
            private static readonly Bucket Photos = Storage.Bucket("photos");
            private static readonly Bucket Uploads = Storage.Bucket("uploads");

            public static async Task<byte[]> ShowAsync(string key)
            {
                if (!await Photos.ExistsAsync(key))
                {
                    return [];
                }

                return await Photos.DownloadBytesAsync(key);
            }
        }
        """;

    public static TheoryData<string, string[]> WriteActions => new()
    {
        { "aws", ["s3:PutObject", "s3:DeleteObject"] },
        { "gcp", ["storage.objects.create", "storage.objects.delete"] },
        { "azure", ["/blobs/write", "/blobs/delete"] },
    };

    [Theory]
    [MemberData(nameof(WriteActions))]
    public void Read_only_code_is_granted_no_write_and_nothing_on_buckets_it_does_not_touch(string provider, string[] writes)
    {
        var (model, _) = Emitted.Model(("Gallery.cs", ReadOnly));

        var grants = Emitted.Grants(provider, model);

        Assert.NotEmpty(grants);
        Assert.All(grants, g => Assert.Equal("photos", g.BucketName));
        Assert.DoesNotContain(grants, g => writes.Any(w => g.Action.EndsWith(w, StringComparison.Ordinal)));
        var iam = Emitted.Folder(provider, model).Single(f => f.Key == "iam.tf").Value;
        Assert.DoesNotContain("uploads", iam, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws", "photos: s3:DeleteObject")]
    [InlineData("gcp", "photos: storage.objects.delete")]
    [InlineData("azure", "photos: Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete")]
    public void Adding_one_delete_call_adds_exactly_the_delete_permission_on_exactly_that_bucket(string provider, string added)
    {
        var before = Emitted.Grants(provider, Emitted.Model(("Gallery.cs", ReadOnly)).Model).Select(g => g.Key).ToHashSet();
        var withDelete = ReadOnly.Replace("return await Photos.DownloadBytesAsync(key);", "await Photos.DeleteAsync(\"stale/\" + key);\n        return await Photos.DownloadBytesAsync(key);", StringComparison.Ordinal);

        var after = Emitted.Grants(provider, Emitted.Model(("Gallery.cs", withDelete)).Model);

        Assert.Equal([added], after.Select(g => g.Key).Except(before));
        Assert.Equal(["Gallery.cs:16"], after.Single(g => g.Key == added).CallSites);
        Assert.Empty(before.Except(after.Select(g => g.Key)));
    }

    [Fact]
    public void A_copy_between_buckets_reads_the_source_and_writes_only_the_destination()
    {
        var (model, _) = Emitted.Model(("PhotoLibrary.cs", Sources.EveryOperation));

        var archive = Emitted.Grants("aws", model).Where(g => g.BucketName == "archive").Select(g => g.Key).ToList();

        Assert.Equal(["archive: s3:PutObject"], archive);
    }

    [Theory]
    [InlineData("aws")]
    [InlineData("gcp")]
    [InlineData("azure")]
    public void No_grant_names_every_resource_and_every_action_names_its_call_sites(string provider)
    {
        var iam = Emitted.Folder(provider, Emitted.Model(("PhotoLibrary.cs", Sources.EveryOperation)).Model).Single(f => f.Key == "iam.tf").Value;

        Assert.DoesNotMatch(new Regex(@"(Resource|scope|bucket)\s*=\s*""\*"""), iam);
        var actions = Regex.Matches(iam, @"^\s+""[A-Za-z0-9.:/]+"",\s*(?<comment>#.*)?$", RegexOptions.Multiline);
        Assert.NotEmpty(actions);
        Assert.All(actions, a => Assert.Matches(@"^# PhotoLibrary\.cs:\d+", a.Groups["comment"].Value));
    }

    [Fact]
    public void A_public_bucket_is_refused_unless_the_code_allows_it()
    {
        const string source = """
            using Infrar;
            namespace App;
            public static class Site
            {
                public static readonly Bucket Assets = Storage.Bucket("assets", new BucketOptions { Public = true });
            }
            """;
        var (model, allowances) = Emitted.Model(("Site.cs", source));
        var (allowedModel, allowed) = Emitted.Model(("Site.cs", source), ("Allow.cs", "[assembly: Infrar.AllowPublicBucket(\"assets\", Reason = \"static site\")]"));

        var violation = Assert.Single(Guardrails.Check(model, [], allowances));

        Assert.Equal("INFRAR0020", violation.Code);
        Assert.Equal("Site.cs:5", violation.Site);
        Assert.Contains("'assets'", violation.Message, StringComparison.Ordinal);
        Assert.Empty(Guardrails.Check(allowedModel, [], allowed));
        Assert.Contains("allUsers", Emitted.Folder("gcp", allowedModel).Single(f => f.Key == "storage.tf").Value, StringComparison.Ordinal);
        var privateModel = Emitted.Model(("PhotoLibrary.cs", Sources.EveryOperation)).Model;
        Assert.Contains("public_access_prevention    = \"enforced\"", Emitted.Folder("gcp", privateModel).Single(f => f.Key == "storage.tf").Value, StringComparison.Ordinal);
        Assert.DoesNotContain("allUsers", Emitted.Folder("gcp", privateModel).Single(f => f.Key == "storage.tf").Value, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wildcard_grant_from_the_catalog_is_refused_unless_the_code_allows_it()
    {
        var aws = EmbeddedCatalog.Value.Providers["aws"];
        var storage = aws.Storage!;
        var operations = storage.Operations.ToDictionary(pair => pair.Key, pair => pair.Value);
        operations["delete"] = operations["delete"] with { Permissions = Holding(operations["delete"].Permissions, "s3:*") };
        var providers = EmbeddedCatalog.Value.Providers.ToDictionary(pair => pair.Key, pair => pair.Value);
        providers["aws"] = aws with { Storage = storage with { Operations = operations } };
        var catalog = EmbeddedCatalog.Value with { Providers = providers };
        var (model, allowances) = Emitted.Model(("PhotoLibrary.cs", Sources.EveryOperation));
        var grants = Emitted.Grants("aws", model, catalog);

        var violation = Assert.Single(Guardrails.Check(model, grants, allowances));

        Assert.Equal("INFRAR0021", violation.Code);
        Assert.Equal("PhotoLibrary.cs:30", violation.Site);
        Assert.Empty(Guardrails.Check(model, grants, new(new HashSet<string>(), new HashSet<string> { "photos" })));
    }

    /// <summary>An array of the catalog's own equatable type holding <paramref name="values"/> (the type is compiled into several assemblies, so it is not named here).</summary>
    private static T Holding<T>(T sample, params string[] values)
        where T : IEnumerable<string> =>
        (T)Activator.CreateInstance(sample.GetType(), System.Collections.Immutable.ImmutableArray.Create(values))!;
}
