using Infrar.Testing;
using Xunit;

namespace Infrar.Build.Tests;

/// <summary>What <c>dotnet build</c> writes beside the app: the manifest and the OpenTofu folder, and what it refuses.</summary>
[Collection(RealBuilds.Name)]
public sealed class InfrastructureBuildTests : IDisposable
{
    private readonly SampleCopy _sample = new();

    [Fact]
    public async Task A_build_writes_the_manifest_and_folder_and_an_unchanged_rebuild_rewrites_nothing()
    {
        var first = await _sample.BuildAsync("InfrarProvider=aws");
        Assert.True(first.ExitCode == 0, first.Output);
        var files = Directory.GetFiles(Path.Combine(_sample.Output, "infra", "aws")).Append(Path.Combine(_sample.Output, "infrar.manifest.json")).ToList();
        var written = files.ToDictionary(f => f, File.GetLastWriteTimeUtc);

        var second = await _sample.BuildAsync("InfrarProvider=aws");

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(["iam.tf", "outputs.tf", "queues.tf", "service.tf", "storage.tf", "variables.tf", "versions.tf"], Directory.GetFiles(Path.Combine(_sample.Output, "infra", "aws"), "*.tf").Select(Path.GetFileName).Order());
        Assert.All(files, f => Assert.Equal(written[f], File.GetLastWriteTimeUtc(f)));
        Assert.Contains("\"provider\": \"aws\"", File.ReadAllText(Path.Combine(_sample.Output, "infrar.manifest.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switching_provider_without_a_clean_leaves_only_the_new_providers_folder()
    {
        Assert.Equal(0, (await _sample.BuildAsync("InfrarProvider=aws")).ExitCode);

        var gcp = await _sample.BuildAsync("InfrarProvider=gcp");

        Assert.True(gcp.ExitCode == 0, gcp.Output);
        Assert.Equal(["gcp"], Directory.GetDirectories(Path.Combine(_sample.Output, "infra")).Select(Path.GetFileName));
        Assert.Contains("google_storage_bucket", File.ReadAllText(Path.Combine(_sample.Output, "infra", "gcp", "storage.tf")), StringComparison.Ordinal);
        Assert.Contains("\"provider\": \"gcp\"", File.ReadAllText(Path.Combine(_sample.Output, "infrar.manifest.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_grant_beyond_the_baseline_fails_the_build_naming_it_and_its_call_site_until_accepted()
    {
        var accept = await _sample.BuildAsync("InfrarProvider=aws", "InfrarUpdatePermissionBaseline=true");
        Assert.True(accept.ExitCode == 0, accept.Output);
        Assert.True(File.Exists(Path.Combine(_sample.Path, "infrar.permissions.json")));
        // A statement at the end of the top-level code, before the sample's type declarations.
        File.WriteAllText(_sample.Program, File.ReadAllText(_sample.Program).Replace("\n/// <summary>A thumbnail to make", "\nawait thumbnails.DeleteAsync(\"stale.jpg\", ct);\n\n/// <summary>A thumbnail to make", StringComparison.Ordinal));
        var line = _sample.LineOf("thumbnails.DeleteAsync");

        var refused = await _sample.BuildAsync("InfrarProvider=aws");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"Program.cs({line}): error INFRAR0022: The code now needs the aws grant 'thumbnails: s3:DeleteObject', which infrar.permissions.json does not list; needed by Program.cs:{line}.", refused.Output, StringComparison.Ordinal);

        var accepted = await _sample.BuildAsync("InfrarProvider=aws", "InfrarUpdatePermissionBaseline=true");
        Assert.True(accepted.ExitCode == 0, accepted.Output);
        Assert.Contains("\"thumbnails: s3:DeleteObject\"", File.ReadAllText(Path.Combine(_sample.Path, "infrar.permissions.json")), StringComparison.Ordinal);
        Assert.Equal(0, (await _sample.BuildAsync("InfrarProvider=aws")).ExitCode);
    }

    [Fact]
    public async Task A_public_bucket_fails_the_build_at_its_declaration()
    {
        File.WriteAllText(_sample.Program, File.ReadAllText(_sample.Program).Replace("new BucketOptions { ExpireAfterDays = 30 }", "new BucketOptions { ExpireAfterDays = 30, Public = true }", StringComparison.Ordinal));
        var line = _sample.LineOf("Public = true");

        var build = await _sample.BuildAsync("InfrarProvider=gcp");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains($"Program.cs({line}): error INFRAR0020: Bucket 'thumbnails' is declared public", build.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_sample.Output, "infra", "gcp")));
    }

    public void Dispose() => _sample.Dispose();
}
