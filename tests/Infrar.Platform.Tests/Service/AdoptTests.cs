using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>
/// <c>infrar adopt</c> run as a user runs it, on an app that calls S3 and references the packed Infrar.Sdk: the dry run
/// prints the diff and, per file, what moves and why the rest does not, and writes nothing; the real run writes the
/// moved calls and builds the app.
/// </summary>
public sealed class AdoptTests(PackedSdk sdk) : IClassFixture<PackedSdk>, IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-adopt-");

    private const string Program = """
        using Amazon.S3;
        using Amazon.S3.Model;

        var s3 = new AmazonS3Client(Amazon.RegionEndpoint.USEast1);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = "reports", Key = "2026/11.txt", ContentBody = "november" });
        var response = await s3.GetObjectAsync("reports", "2026/11.txt");
        Console.WriteLine(response.ContentLength);
        await s3.DeleteObjectAsync("reports", "draft.txt");

        """;

    [Fact]
    public async Task Adopt_shows_the_diff_and_why_in_a_dry_run_then_moves_the_calls_and_builds_the_app()
    {
        var app = Directory.CreateDirectory(Path.Combine(_root.FullName, "Reports")).FullName;
        sdk.Vendor(app);
        File.WriteAllText(Path.Combine(app, "Reports.csproj"), sdk.AppProject(("AWSSDK.S3", "4.1.0")));
        var source = Path.Combine(app, "Program.cs");
        File.WriteAllText(source, Program);

        var dryRun = await ServiceProcess.RunAsync(["adopt", app, "--dry-run"]);
        Assert.True(dryRun.ExitCode == 0, dryRun.Output);
        foreach (var expected in new[]
        {
            "--- a/Program.cs",
            "-await s3.PutObjectAsync(new PutObjectRequest { BucketName = \"reports\", Key = \"2026/11.txt\", ContentBody = \"november\" });",
            "+await Storage.Bucket(\"reports\").UploadAsync(\"2026/11.txt\", System.Text.Encoding.UTF8.GetBytes(\"november\"));",
            "+await Storage.Bucket(\"reports\").DeleteAsync(\"draft.txt\");",
            "+using Infrar;",
            "Program.cs: moved 2 of 3 calls",
            "line 6: AmazonS3Client.GetObjectAsync ties this code to Amazon S3; use Infrar's Storage API so it builds for every provider (no automatic fix: its response's ContentLength is read, which Infrar gives by a second call (GetInfoAsync) beside the download: move it by hand)",
            "moved 2 calls onto Infrar; 1 left, each with why above; nothing written (--dry-run)",
        })
        {
            Assert.True(dryRun.Output.Contains(expected, StringComparison.Ordinal), $"no \"{expected}\" in:\n{dryRun.Output}");
        }

        Assert.Equal(Program, File.ReadAllText(source));

        var adopted = await ServiceProcess.RunAsync(["adopt", Path.Combine(app, "Reports.csproj")]);
        Assert.True(adopted.ExitCode == 0, adopted.Output);
        Assert.Contains("wrote Program.cs", adopted.Output, StringComparison.Ordinal);
        Assert.Contains("the adopted app builds", adopted.Output, StringComparison.Ordinal);
        var written = File.ReadAllText(source);
        Assert.Contains("await Storage.Bucket(\"reports\").UploadAsync(\"2026/11.txt\", System.Text.Encoding.UTF8.GetBytes(\"november\"));", written, StringComparison.Ordinal);
        Assert.Contains("var response = await s3.GetObjectAsync(\"reports\", \"2026/11.txt\");", written, StringComparison.Ordinal);
        Assert.DoesNotContain("PutObjectAsync", written, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(app, "*.infrar-adopt"));

        // A path that is neither a project, a solution nor a folder holding one is refused, naming it.
        var refused = await ServiceProcess.RunAsync(["adopt", source]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("infrar adopt: Program.cs is not a .csproj, .sln or .slnx file.", refused.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
