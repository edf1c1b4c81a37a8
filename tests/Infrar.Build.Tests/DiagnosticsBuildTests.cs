using Infrar.Testing;
using Xunit;

namespace Infrar.Build.Tests;

/// <summary>The analyzers in a plain dotnet build: each rule with its file and line, and .editorconfig severities obeyed.</summary>
[Collection(RealBuilds.Name)]
public sealed class DiagnosticsBuildTests : IDisposable
{
    private const string Violations = """
        using System;
        using System.Collections.Generic;
        using System.Linq.Expressions;
        using System.Threading;
        using System.Threading.Tasks;
        using Infrar;

        public static class Violations
        {
            public static async Task RunAsync(string[] args)
            {
                var computed = Storage.Bucket(args[0]);
                var upper = Storage.Bucket("Photos_Archive");
                var first = Storage.Bucket("reports", new BucketOptions { Versioning = true });
                var second = Storage.Bucket("reports", new BucketOptions { ExpireAfterDays = 7 });
                await first.DeleteAsync("/absolute.txt");
                await first.UploadAsync("a.txt", new byte[0], new UploadOptions { Metadata = new Dictionary<string, string> { ["Camera-Model"] = "x" } });
                var link = await first.GetDownloadUrlAsync("a.txt", TimeSpan.FromDays(30));
                var upload = await first.GetUploadUrlAsync("a.txt", TimeSpan.FromHours(1));
                Func<string, CancellationToken, Task> delete = first.DeleteAsync;
                await new Amazon.S3.AmazonS3Client().DeleteObjectAsync("reports", "a.txt");
            }
        }
        """;

    private readonly SampleCopy _sample = new();

    [Fact]
    public async Task Every_rule_shows_with_its_file_and_line_and_editorconfig_severities_apply()
    {
        File.WriteAllText(Path.Combine(_sample.Path, "Violations.cs"), Violations);
        File.WriteAllText(Path.Combine(_sample.Path, "PhotoService.csproj"), File.ReadAllText(Path.Combine(_sample.Path, "PhotoService.csproj"))
            .Replace("</Project>", "  <ItemGroup>\n    <PackageReference Include=\"AWSSDK.S3\" Version=\"4.1.0\" />\n  </ItemGroup>\n</Project>", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_sample.Path, "Quiet.cs"), """
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using Infrar;

            public static class Quiet
            {
                public static Task RunAsync() => Storage.Bucket("quiet")
                    .UploadAsync("b.txt", new byte[0], new UploadOptions { Metadata = new Dictionary<string, string> { ["Lens-Model"] = "x" } });
            }
            """);
        File.WriteAllText(Path.Combine(_sample.Path, ".editorconfig"), "root = true\n\n[*.cs]\ndotnet_diagnostic.INFRAR0107.severity = error\n\n[Quiet.cs]\ndotnet_diagnostic.INFRAR0108.severity = none\n");

        var local = await _sample.BuildAsync("InfrarProvider=local", "TreatWarningsAsErrors=false");
        var azure = await _sample.BuildAsync("InfrarProvider=azure", "TreatWarningsAsErrors=false");

        Assert.NotEqual(0, local.ExitCode);
        Assert.Contains("Violations.cs(12,39): error INFRAR0101:", local.Output, StringComparison.Ordinal);
        Assert.Contains("Violations.cs(13,36): error INFRAR0102:", local.Output, StringComparison.Ordinal);
        Assert.Contains("Violations.cs(15,22): error INFRAR0106:", local.Output, StringComparison.Ordinal);
        Assert.Contains("Violations.cs(16,33): error INFRAR0107:", local.Output, StringComparison.Ordinal);
        Assert.Contains("Violations.cs(17,120): warning INFRAR0108:", local.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Quiet.cs(", local.Output, StringComparison.Ordinal);
        Assert.Contains("Violations.cs(18,61): warning INFRAR0109:", local.Output, StringComparison.Ordinal);
        Assert.Contains("Violations.cs(21,15): warning INFRAR0105:", local.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("INFRAR0103", local.Output, StringComparison.Ordinal);
        Assert.Contains("Violations.cs(20,56): error INFRAR0103:", azure.Output, StringComparison.Ordinal);
        Assert.Contains("Violations.cs(19,34): warning INFRAR0104:", azure.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _sample.Dispose();
}
