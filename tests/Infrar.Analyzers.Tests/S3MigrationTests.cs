using System.Text;
using Infrar.Analyzers.Rules;
using Infrar.CodeFixes;
using Infrar.Testing;
using Xunit;

namespace Infrar.Analyzers.Tests;

/// <summary>How an existing S3 app adopts Infrar: Fix All, then it builds and does the same on the local provider.</summary>
public sealed class S3MigrationTests
{
    private const string S3Program = """
        using System.Threading;
        using System.Threading.Tasks;
        using Amazon.S3;
        using Amazon.S3.Model;

        public static class Reports
        {
            public static async Task PublishAsync(IAmazonS3 s3, CancellationToken ct)
            {
                await {|INFRAR0105:s3.PutObjectAsync(new PutObjectRequest { BucketName = "reports", Key = "2026/11.txt", ContentBody = "november", ContentType = "text/plain" }, ct)|};
                await {|INFRAR0105:s3.PutObjectAsync(new PutObjectRequest { BucketName = "reports", Key = "draft.txt", ContentBody = "draft" }, ct)|};
                await {|INFRAR0105:s3.CopyObjectAsync("reports", "2026/11.txt", "archive", "reports/2026/11.txt", ct)|};
                await {|INFRAR0105:s3.CopyObjectAsync("reports", "2026/11.txt", "reports", "latest.txt", ct)|};
                await {|INFRAR0105:s3.DeleteObjectAsync("reports", "draft.txt", ct)|};
            }
        }
        """;

    /// <summary>What Fix All makes of it, in the document, the project and the solution alike.</summary>
    private const string Migrated = """
        using System.Threading;
        using System.Threading.Tasks;
        using Amazon.S3;
        using Amazon.S3.Model;
        using Infrar;

        public static class Reports
        {
            public static async Task PublishAsync(IAmazonS3 s3, CancellationToken ct)
            {
                await Storage.Bucket("reports").UploadAsync("2026/11.txt", System.Text.Encoding.UTF8.GetBytes("november"), new UploadOptions { ContentType = "text/plain" }, ct);
                await Storage.Bucket("reports").UploadAsync("draft.txt", System.Text.Encoding.UTF8.GetBytes("draft"), cancellationToken: ct);
                await Storage.Bucket("reports").CopyToAsync("2026/11.txt", Storage.Bucket("archive"), "reports/2026/11.txt", ct);
                await Storage.Bucket("reports").CopyAsync("2026/11.txt", "latest.txt", ct);
                await Storage.Bucket("reports").DeleteAsync("draft.txt", ct);
            }
        }
        """;

    [Fact]
    public async Task A_small_s3_program_fixed_onto_infrar_builds_and_leaves_the_same_objects_on_the_local_provider()
    {
        var root = LocalStore.Use();
        try
        {
            await Verifiers.CodeFix<ProviderSdkAnalyzer, ProviderSdkCodeFix>(S3Program, Migrated).RunAsync();

            Assert.DoesNotContain("s3.", Migrated, StringComparison.Ordinal);
            var result = GeneratorHarness.Run("local", [("Reports.cs", Migrated)], assemblyName: "Migrated");
            Assert.Empty(result.Problems);
            var reports = GeneratorHarness.EmitAndLoad(result.Compilation).GetType("Reports", throwOnError: true)!;
            await (Task)reports.GetMethod("PublishAsync")!.Invoke(null, [null, CancellationToken.None])!;

            // What the S3 program leaves in S3: the report, its archive copy and its latest copy, and no draft.
            Assert.Equal("november", await File.ReadAllTextAsync(Path.Combine(root, "reports", "2026", "11.txt")));
            Assert.Equal("november", await File.ReadAllTextAsync(Path.Combine(root, "reports", "latest.txt")));
            Assert.Equal("november", await File.ReadAllTextAsync(Path.Combine(root, "archive", "reports", "2026", "11.txt")));
            Assert.False(File.Exists(Path.Combine(root, "reports", "draft.txt")));
            var info = await Storage.Bucket("archive").GetInfoAsync("reports/2026/11.txt");
            Assert.Equal("text/plain", info.ContentType);
            Assert.Equal(Encoding.UTF8.GetByteCount("november"), info.Size);
        }
        finally
        {
            foreach (var bucket in new[] { "reports", "archive" })
            {
                Directory.Delete(Path.Combine(root, bucket), recursive: true);
            }
        }
    }
}
