using Infrar.Analyzers.Rules;
using Xunit;

namespace Infrar.Analyzers.Tests;

/// <summary>Each rule fires on code that breaks it, with the message a user reads, and stays silent on code that does not.</summary>
public sealed class RuleTests
{
    private const string Header = """
        using System;
        using System.Collections.Generic;
        using System.Linq.Expressions;
        using System.Threading;
        using System.Threading.Tasks;
        using Infrar;

        public static class App
        {
            public static async Task RunAsync(string[] args)
            {

        """;

    private const string Footer = """

            }
        }
        """;

    [Fact]
    public async Task INFRAR0101_a_name_computed_at_run_time_is_an_error_and_a_constant_is_not()
    {
        var diagnostics = await Analyze("""
            var name = args[0];
            var computed = Storage.Bucket(name);
            const string Constant = "photos";
            var fine = Storage.Bucket(Constant);
            var literal = Storage.Bucket("invoices");
            """, new NonConstantNameAnalyzer());

        var error = Assert.Single(diagnostics);
        Assert.Equal("INFRAR0101", error.Id);
        Assert.Equal("The name of bucket name is not a compile-time constant string, so its infrastructure and permissions cannot be generated; use a string literal or a const", error.GetMessage());
    }

    [Fact]
    public async Task INFRAR0101_a_null_name_is_reported_too()
    {
        var diagnostics = await Analyze("""
            var nothing = Storage.Bucket(null!);
            """, new NonConstantNameAnalyzer());

        Assert.Equal("The name of bucket null is not a compile-time constant string, so its infrastructure and permissions cannot be generated; use a string literal or a const", Assert.Single(diagnostics).GetMessage());
    }

    [Fact]
    public async Task INFRAR0102_a_name_ending_in_a_newline_is_refused_though_a_dollar_anchor_would_let_it_pass()
    {
        var diagnostics = await Analyze("""
            var sneaky = Storage.Bucket("photos\n");
            """, new InvalidNameAnalyzer());

        var message = Assert.Single(diagnostics).GetMessage();
        Assert.StartsWith("Bucket name 'photos\\n' is not valid on every provider: aws:", message, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task INFRAR0102_a_name_any_provider_refuses_names_each_provider_and_why()
    {
        var diagnostics = await Analyze("""
            var upper = Storage.Bucket("Photos_Archive");
            var google = Storage.Bucket("my-google-photos");
            var fine = Storage.Bucket("photos-archive");
            """, new InvalidNameAnalyzer());

        Assert.Equal(2, diagnostics.Count);
        Assert.Equal(
            "Bucket name 'Photos_Archive' is not valid on every provider: aws: S3 bucket names use only lower-case letters, digits, '.' and '-'; azure: Azure container names use only lower-case letters, digits and '-'; gcp: Cloud Storage bucket names use only lower-case letters, digits, '-', '_' and '.'",
            diagnostics[0].GetMessage());
        Assert.Equal("Bucket name 'my-google-photos' is not valid on every provider: gcp: Cloud Storage bucket names cannot contain google or close misspellings", diagnostics[1].GetMessage());
        Assert.Equal("photos-archive", diagnostics[0].Properties[InvalidNameAnalyzer.SuggestedName]);
    }

    [Theory]
    [InlineData("Func<string, CancellationToken, Task> delete = photos.DeleteAsync;", "method group", "DeleteAsync")]
    [InlineData("Expression<Func<Task>> tree = () => photos.DeleteAsync(\"k\", default);", "call in an expression tree", "DeleteAsync")]
    [InlineData("dynamic untyped = photos;\n        await untyped.DeleteAsync(\"k\");", "dynamic call", "DeleteAsync")]
    [InlineData("var method = typeof(Bucket).GetMethod(\"ExistsAsync\");", "call through reflection", "ExistsAsync")]
    [InlineData("var method = photos.GetType().GetMethod(\"ExistsAsync\")!.Invoke(photos, new object[] { \"k\", CancellationToken.None });", "call through reflection", "ExistsAsync")]
    [InlineData("var all = photos.GetType().GetMethods();", "call through reflection", "*")]
    [InlineData("dynamic key = \"k\";\n        await photos.DeleteAsync(key);", "call with a dynamic argument", "DeleteAsync")]
    [InlineData("await Up(photos, \"k\", new byte[1]);\n        static Task Up(dynamic b, string k, byte[] x) => b.UploadAsync(k, x, null, CancellationToken.None);", "dynamic call", "UploadAsync")]
    public async Task INFRAR0103_a_use_interceptors_cannot_reach_is_an_error_on_a_cloud_and_silent_on_local(string code, string how, string method)
    {
        var source = "var photos = Storage.Bucket(\"photos\");\n        " + code + "\n        await photos.DeleteAsync(\"direct\");";

        var onAws = await Analyze(source, new NotRewritableAnalyzer(), "aws");
        var onLocal = await Analyze(source, new NotRewritableAnalyzer(), "local");

        var error = Assert.Single(onAws);
        Assert.Equal($"This {how} of Bucket.{method} cannot be rewritten into a direct Amazon S3 call, so it would run the local provider on aws; call the method directly", error.GetMessage());
        Assert.Empty(onLocal);
    }

    [Fact]
    public async Task INFRAR0104_an_operation_with_a_limitation_on_the_selected_provider_warns_with_it()
    {
        const string source = """
            var uploads = Storage.Bucket("uploads");
            var write = await uploads.GetUploadUrlAsync("a.txt", TimeSpan.FromMinutes(5));
            var read = await uploads.GetDownloadUrlAsync("a.txt", TimeSpan.FromMinutes(5));
            """;

        var onAzure = await Analyze(source, new PartialSupportAnalyzer(), "azure");
        var onAws = await Analyze(source, new PartialSupportAnalyzer(), "aws");

        var warning = Assert.Single(onAzure);
        Assert.Equal("GetUploadUrlAsync on Azure Blob Storage: whoever uploads through the URL must send the header x-ms-blob-type with the value BlockBlob, which S3 and Cloud Storage do not need", warning.GetMessage());
        Assert.Empty(onAws);
    }

    [Fact]
    public async Task INFRAR0105_a_call_on_a_provider_sdk_warns_and_infrar_calls_do_not()
    {
        var diagnostics = await Analyze("""
            var s3 = new Amazon.S3.AmazonS3Client();
            await s3.DeleteObjectAsync("photos", "a.jpg");
            var container = new Azure.Storage.Blobs.BlobContainerClient("UseDevelopmentStorage=true", "photos");
            await container.DeleteBlobIfExistsAsync("a.jpg");
            await Storage.Bucket("photos").DeleteAsync("a.jpg");
            var exists = await Amazon.S3.Util.AmazonS3Util.DoesS3BucketExistV2Async(s3, "photos");
            var block = Azure.Storage.Blobs.Specialized.SpecializedBlobExtensions.GetBlockBlobClient(container, "a.jpg");
            """, new ProviderSdkAnalyzer());

        Assert.Equal(
            [
                "AmazonS3Client.DeleteObjectAsync ties this code to Amazon S3; use Infrar's Storage API so it builds for every provider",
                "BlobContainerClient.DeleteBlobIfExistsAsync ties this code to Azure Blob Storage; use Infrar's Storage API so it builds for every provider",
                "AmazonS3Util.DoesS3BucketExistV2Async ties this code to Amazon S3; use Infrar's Storage API so it builds for every provider",
                "SpecializedBlobExtensions.GetBlockBlobClient ties this code to Azure Blob Storage; use Infrar's Storage API so it builds for every provider",
            ],
            diagnostics.Select(d => d.GetMessage()));
    }

    [Fact]
    public async Task INFRAR0106_the_same_bucket_with_other_options_is_an_error_and_with_the_same_options_is_not()
    {
        var diagnostics = await Analyze("""
            var a = Storage.Bucket("photos", new BucketOptions { Versioning = true });
            var b = Storage.Bucket("photos", new BucketOptions { Versioning = true });
            var c = Storage.Bucket("photos", new BucketOptions { ExpireAfterDays = 30 });
            var d = Storage.Bucket("other");
            var e = Storage.Bucket("other");
            """, new ConflictingDeclarationAnalyzer());

        var error = Assert.Single(diagnostics);
        Assert.Equal("Bucket 'photos' is declared here with other options than at App.cs:12; declare it once and share it", error.GetMessage());
        Assert.Equal(14, error.Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public async Task INFRAR0107_a_key_literal_that_leaves_its_folder_or_is_absolute_warns()
    {
        var diagnostics = await Analyze("""
            var photos = Storage.Bucket("photos");
            await photos.DeleteAsync("/etc/passwd");
            await photos.CopyAsync("../x.jpg", "ok/x.jpg");
            await photos.DeleteAsync("2024/cat.jpg");
            await photos.DeleteAsync(args[0]);
            """, new UnsafeKeyAnalyzer());

        Assert.Equal(
            [
                "Object key '/etc/passwd' is not portable: it is an absolute path; keys are relative to their bucket",
                "Object key '../x.jpg' is not portable: it contains a '..' segment",
            ],
            diagnostics.Select(d => d.GetMessage()));
    }

    [Fact]
    public async Task INFRAR0108_a_metadata_name_some_provider_changes_or_refuses_warns()
    {
        var diagnostics = await Analyze("""
            var photos = Storage.Bucket("photos");
            await photos.UploadAsync("a.jpg", new byte[0], new UploadOptions
            {
                Metadata = new Dictionary<string, string> { ["Camera-Model"] = "x100", ["album"] = "summer" },
            });
            await photos.UploadAsync("b.jpg", new byte[0], new UploadOptions { Metadata = new Dictionary<string, string> { { "taken_at", "now" }, { "9lives", "no" } } });
            """, new MetadataNameAnalyzer());

        Assert.Equal(["Camera-Model", "9lives"], diagnostics.Select(d => d.GetMessage().Split('\'')[1]));
    }

    [Fact]
    public async Task INFRAR0109_a_signed_url_beyond_seven_days_warns()
    {
        var diagnostics = await Analyze("""
            var photos = Storage.Bucket("photos");
            var month = await photos.GetDownloadUrlAsync("a.jpg", TimeSpan.FromDays(30));
            var week = await photos.GetDownloadUrlAsync("a.jpg", TimeSpan.FromDays(7));
            var hour = await photos.GetUploadUrlAsync("a.jpg", TimeSpan.FromHours(1));
            """, new SignedUrlExpiryAnalyzer());

        var warning = Assert.Single(diagnostics);
        Assert.Equal("A signed URL that lasts 30.00:00:00 is refused by S3 and Cloud Storage, which allow from 1 second to 7 days", warning.GetMessage());
    }

    [Fact]
    public async Task INFRAR0109_reports_forever_and_nonsense_instead_of_throwing()
    {
        var diagnostics = await Analyze("""
            var photos = Storage.Bucket("photos");
            var forever = await photos.GetDownloadUrlAsync("a.jpg", TimeSpan.FromDays(int.MaxValue));
            var longer = await photos.GetDownloadUrlAsync("a.jpg", TimeSpan.FromSeconds(long.MaxValue));
            var nan = await photos.GetDownloadUrlAsync("a.jpg", TimeSpan.FromHours(double.NaN));
            var none = await photos.GetUploadUrlAsync("a.jpg", TimeSpan.FromMinutes(0));
            """, new SignedUrlExpiryAnalyzer());

        Assert.Equal(
            ["longer than TimeSpan.MaxValue", "longer than TimeSpan.MaxValue", "NaN seconds", "0 seconds or less"],
            diagnostics.Select(d => d.GetMessage()["A signed URL that lasts ".Length..d.GetMessage().IndexOf(" is refused", StringComparison.Ordinal)]));
    }

    private static Task<IReadOnlyList<Microsoft.CodeAnalysis.Diagnostic>> Analyze(string body, Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer analyzer, string provider = "local") =>
        AnalyzerHarness.AnalyzeAsync(Header + Indent(body) + Footer, provider, analyzer);

    private static string Indent(string body) => string.Join("\n", body.Split('\n').Select(l => "        " + l));
}
