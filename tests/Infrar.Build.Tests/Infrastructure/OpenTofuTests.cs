using System.Text;
using Infrar.Testing;
using Xunit;

namespace Infrar.Build.Tests.Infrastructure;

/// <summary>The OpenTofu written for each provider: as reviewed (snapshots), formatted, valid against the provider schemas, and applicable offline for local.</summary>
public sealed class OpenTofuTests
{
    public static TheoryData<string> Providers => ["aws", "azure", "gcp", "local"];

    public static TheoryData<string> Clouds => ["aws", "azure", "gcp"];

    private static readonly Lazy<Build.Manifest.ProjectModel> EveryOperation = new(() => Emitted.Model(("PhotoLibrary.cs", Sources.EveryOperation)).Model);

    [Theory]
    [MemberData(nameof(Providers))]
    public void Each_providers_folder_matches_its_snapshot(string provider)
    {
        var text = new StringBuilder();
        foreach (var (name, content) in Emitted.Folder(provider, EveryOperation.Value))
        {
            text.Append("### ").Append(name).Append('\n').Append(content).Append('\n');
        }

        Snapshot.Match(text.ToString(), $"{provider}.tf.txt");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public Task Each_providers_folder_is_left_alone_by_fmt(string provider) => Emitted.AssertFormattedAsync(provider, EveryOperation.Value);

    [Theory]
    [MemberData(nameof(Clouds))]
    public void Every_resource_attribute_and_block_exists_in_the_provider_schema_and_every_required_one_is_set(string provider)
    {
        var problems = Emitted.Folder(provider, EveryOperation.Value)
            .SelectMany(file => HclSchemaChecker.Check(provider, file.Key, file.Value))
            .ToList();

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_schema_check_catches_an_attribute_the_provider_does_not_have()
    {
        const string hcl = "resource \"aws_s3_bucket\" \"x\" {\n  bucket     = \"x\"\n  encryption = true\n}\n\nresource \"aws_s3_bucket_versioning\" \"x\" {\n}\n";

        var problems = HclSchemaChecker.Check("aws", "storage.tf", hcl);

        Assert.Equal(
            [
                "storage.tf:3: aws_s3_bucket has no attribute encryption",
                "storage.tf:6: aws_s3_bucket_versioning lacks the required attribute bucket",
                "storage.tf:6: aws_s3_bucket_versioning lacks the required block versioning_configuration",
            ],
            problems);
    }

    [Fact]
    public async Task The_local_folder_applies_offline_and_creates_the_bucket_folders()
    {
        var folder = Emitted.WriteFolder("local", EveryOperation.Value);
        var root = Directory.CreateTempSubdirectory("infrar-local-root-").FullName;
        try
        {
            var init = await Terraform.RunAsync(folder, "init", "-input=false", "-no-color");
            Assert.True(init.ExitCode == 0, init.Output);

            var apply = await Terraform.RunAsync(folder, "apply", "-auto-approve", "-input=false", "-no-color", $"-var=local_root={root}");
            Assert.True(apply.ExitCode == 0, apply.Output);

            Assert.Equal(["archive", "photos"], Directory.GetDirectories(root).Select(Path.GetFileName).Order());
            Assert.Contains("Apply complete! Resources: 2 added", apply.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("aws", "INFRAR_BUCKET_PHOTOS", "aws_s3_bucket.photos.bucket")]
    [InlineData("gcp", "INFRAR_BUCKET_PHOTOS", "google_storage_bucket.photos.name")]
    [InlineData("azure", "INFRAR_BUCKET_PHOTOS", "azurerm_storage_container.photos.name")]
    public void The_service_gives_the_app_each_physical_name_in_the_variable_the_generated_code_reads(string provider, string variable, string value)
    {
        var service = Emitted.Folder(provider, EveryOperation.Value).Single(f => f.Key == "service.tf").Value;

        Assert.Contains(variable, service, StringComparison.Ordinal);
        Assert.Contains(value, service, StringComparison.Ordinal);
        Assert.Contains("var.image", service, StringComparison.Ordinal);
    }
}
