using Infrar.Analyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Infrar.Analyzers.Tests;

/// <summary>
/// Each rule fires on code that breaks it, at the span marked in the source (<c>{|#0:...|}</c>), with the message a
/// user reads, and stays silent on code that does not (Roslyn's analyzer test framework fails on any diagnostic not
/// expected).
/// </summary>
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
        await Verify<NonConstantNameAnalyzer>("""
            var name = args[0];
            var computed = Storage.Bucket({|#0:name|});
            const string Constant = "photos";
            var fine = Storage.Bucket(Constant);
            var literal = Storage.Bucket("invoices");
            """,
            Expect(Descriptors.NonConstantName, 0, "The name of bucket name is not a compile-time constant string, so its infrastructure and permissions cannot be generated; use a string literal or a const"));
    }

    [Fact]
    public async Task INFRAR0101_a_null_name_is_reported_too()
    {
        await Verify<NonConstantNameAnalyzer>("""
            var nothing = Storage.Bucket({|#0:null|}!);
            """,
            Expect(Descriptors.NonConstantName, 0, "The name of bucket null is not a compile-time constant string, so its infrastructure and permissions cannot be generated; use a string literal or a const"));
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
        await Verify<InvalidNameAnalyzer>("""
            var upper = Storage.Bucket({|#0:"Photos_Archive"|});
            var google = Storage.Bucket({|#1:"my-google-photos"|});
            var fine = Storage.Bucket("photos-archive");
            """,
            Expect(Descriptors.InvalidName, 0, "Bucket name 'Photos_Archive' is not valid on every provider: aws: S3 bucket names use only lower-case letters, digits, '.' and '-'; azure: Azure container names use only lower-case letters, digits and '-'; gcp: Cloud Storage bucket names use only lower-case letters, digits, '-', '_' and '.'"),
            Expect(Descriptors.InvalidName, 1, "Bucket name 'my-google-photos' is not valid on every provider: gcp: Cloud Storage bucket names cannot contain google or close misspellings"));
    }

    [Fact]
    public async Task INFRAR0102_a_queue_name_is_checked_against_every_provider_for_itself_and_its_dead_letter_queue()
    {
        await Verify<InvalidNameAnalyzer>("""
            var spaced = Queues.Queue({|#0:"Thumbnail Jobs"|});
            var google = Queues.Queue({|#1:"goog-jobs"|});
            var long50 = Queues.Queue({|#2:"abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij"|});
            var fine = Queues.Queue("thumbnail-jobs");
            """,
            Expect(Descriptors.InvalidName, 0, "Queue name 'Thumbnail Jobs' is not valid on every provider: aws: SQS queue names use only letters, digits, '-' and '_'; azure: Azure queue names use only lower-case letters, digits and '-'; gcp: Pub/Sub topic and subscription names use only letters, digits and '-', '_', '.', '~', '+', '%'"),
            Expect(Descriptors.InvalidName, 1, "Queue name 'goog-jobs' is not valid on every provider: gcp: Pub/Sub topic and subscription names do not start with 'goog'"),
            Expect(Descriptors.InvalidName, 2, "Queue name 'abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij' is not valid on every provider: azure: Azure queue names are 3 to 63 characters (the dead-letter queue 'abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-dead-letters')"));
    }

    [Theory]
    [InlineData("Func<string, CancellationToken, Task> delete = {|#0:photos.DeleteAsync|};", "method group", "DeleteAsync")]
    [InlineData("Expression<Func<Task>> tree = () => {|#0:photos.DeleteAsync(\"k\", default)|};", "call in an expression tree", "DeleteAsync")]
    [InlineData("dynamic untyped = photos;\nawait {|#0:untyped.DeleteAsync(\"k\")|};", "dynamic call", "DeleteAsync")]
    [InlineData("var method = {|#0:typeof(Bucket).GetMethod(\"ExistsAsync\")|};", "call through reflection", "ExistsAsync")]
    [InlineData("var method = {|#0:photos.GetType().GetMethod(\"ExistsAsync\")|}!.Invoke(photos, new object[] { \"k\", CancellationToken.None });", "call through reflection", "ExistsAsync")]
    [InlineData("var all = {|#0:photos.GetType().GetMethods()|};", "call through reflection", "*")]
    [InlineData("dynamic key = \"k\";\nawait {|#0:photos.DeleteAsync(key)|};", "call with a dynamic argument", "DeleteAsync")]
    [InlineData("await Up(photos, \"k\", new byte[1]);\nstatic Task Up(dynamic b, string k, byte[] x) => {|#0:b.UploadAsync(k, x, null, CancellationToken.None)|};", "dynamic call", "UploadAsync")]
    public async Task INFRAR0103_a_use_interceptors_cannot_reach_is_an_error_on_a_cloud_and_silent_on_local(string code, string how, string method)
    {
        var source = "var photos = Storage.Bucket(\"photos\");\n" + code + "\nawait photos.DeleteAsync(\"direct\");";

        await Verify<NotRewritableAnalyzer>(source, "aws", Expect(Descriptors.NotRewritable, 0, $"This {how} of Bucket.{method} cannot be rewritten into a direct Amazon S3 call, so it would run the local provider on aws; call the method directly"));
        await Verify<NotRewritableAnalyzer>(source.Replace("{|#0:", "", StringComparison.Ordinal).Replace("|}", "", StringComparison.Ordinal), "local");
    }

    [Fact]
    public async Task INFRAR0104_an_operation_with_a_limitation_on_the_selected_provider_warns_with_it()
    {
        const string source = """
            var uploads = Storage.Bucket("uploads");
            var write = await uploads.{|#0:GetUploadUrlAsync|}("a.txt", TimeSpan.FromMinutes(5));
            var read = await uploads.GetDownloadUrlAsync("a.txt", TimeSpan.FromMinutes(5));
            """;

        await Verify<PartialSupportAnalyzer>(source, "azure", Expect(Descriptors.PartialSupport, 0, "GetUploadUrlAsync on Azure Blob Storage: whoever uploads through the URL must send the header x-ms-blob-type with the value BlockBlob, which S3 and Cloud Storage do not need"));
        await Verify<PartialSupportAnalyzer>(source.Replace("{|#0:", "", StringComparison.Ordinal).Replace("|}", "", StringComparison.Ordinal), "aws");
    }

    [Fact]
    public async Task INFRAR0104_a_queue_operation_with_a_limitation_warns_with_the_providers_queue_service()
    {
        const string source = """
            var jobs = Queues.Queue("jobs");
            await jobs.{|#0:SendAsync|}("photos/cat.jpg");
            await foreach (var message in jobs.ReceiveAsync())
            {
                await message.CompleteAsync();
            }
            """;

        await Verify<PartialSupportAnalyzer>(source, "azure", Expect(Descriptors.PartialSupport, 0, "SendAsync on Azure Storage Queues: Azure Storage Queues carry at most 64 KiB per message as sent; text other than ASCII is escaped and attributes count."));
        await Verify<PartialSupportAnalyzer>(source.Replace("{|#0:", "", StringComparison.Ordinal).Replace("|}", "", StringComparison.Ordinal), "aws");
    }

    [Fact]
    public async Task INFRAR0105_a_call_on_a_provider_sdk_warns_and_infrar_calls_do_not()
    {
        await Verify<ProviderSdkAnalyzer>("""
            var s3 = new Amazon.S3.AmazonS3Client();
            await {|#0:s3.DeleteObjectAsync("photos", "a.jpg")|};
            var container = new Azure.Storage.Blobs.BlobContainerClient("UseDevelopmentStorage=true", "photos");
            await {|#1:container.DeleteBlobIfExistsAsync("a.jpg")|};
            await Storage.Bucket("photos").DeleteAsync("a.jpg");
            var exists = await {|#2:Amazon.S3.Util.AmazonS3Util.DoesS3BucketExistV2Async(s3, "photos")|};
            var block = {|#3:Azure.Storage.Blobs.Specialized.SpecializedBlobExtensions.GetBlockBlobClient(container, "a.jpg")|};
            var sqs = new Amazon.SQS.AmazonSQSClient();
            await {|#4:sqs.SendMessageAsync("https://sqs.us-east-1.amazonaws.com/1/jobs", "work")|};
            var queue = new Azure.Storage.Queues.QueueClient("UseDevelopmentStorage=true", "jobs");
            await {|#5:queue.SendMessageAsync("work")|};
            await Queues.Queue("jobs").SendAsync("work");
            """,
            Expect(Descriptors.ProviderSdk, 0, "AmazonS3Client.DeleteObjectAsync ties this code to Amazon S3; use Infrar's Storage API so it builds for every provider (the fix moves it)"),
            Expect(Descriptors.ProviderSdk, 1, "BlobContainerClient.DeleteBlobIfExistsAsync ties this code to Azure Blob Storage; use Infrar's Storage API so it builds for every provider (the fix moves it)"),
            Expect(Descriptors.ProviderSdk, 2, "AmazonS3Util.DoesS3BucketExistV2Async ties this code to Amazon S3; use Infrar's Storage API so it builds for every provider (no automatic fix: it makes, deletes or looks for a bucket, which Infrar declares in the OpenTofu it emits rather than at run time: once the code names the bucket by a constant (Storage.Bucket(\"name\")), remove the call)"),
            Expect(Descriptors.ProviderSdk, 3, "SpecializedBlobExtensions.GetBlockBlobClient ties this code to Azure Blob Storage; use Infrar's Storage API so it builds for every provider (no automatic fix: it only makes a client: once the calls made on it are moved to Infrar, delete it)"),
            Expect(Descriptors.ProviderSdk, 4, "AmazonSQSClient.SendMessageAsync ties this code to Amazon SQS; use Infrar's Queues API so it builds for every provider"),
            Expect(Descriptors.ProviderSdk, 5, "QueueClient.SendMessageAsync ties this code to Azure Storage Queues; use Infrar's Queues API so it builds for every provider"));
    }

    [Fact]
    public async Task INFRAR0105_says_why_a_call_the_fix_cannot_move_is_left_alone()
    {
        const string Fixed = "ties this code to Amazon S3; use Infrar's Storage API so it builds for every provider";
        await Verify<ProviderSdkAnalyzer>("""
            var s3 = new Amazon.S3.AmazonS3Client();
            var bucket = System.Environment.GetEnvironmentVariable("BUCKET")!;
            using var photo = await {|#0:s3.GetObjectAsync("photos", "a.jpg")|};
            System.Console.WriteLine(photo.Headers.ContentType);
            await {|#1:s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "photos", Key = "a.jpg", ContentBody = "x", CannedACL = Amazon.S3.S3CannedACL.PublicRead })|};
            await {|#2:s3.DeleteObjectAsync(bucket, "a.jpg")|};
            try
            {
                await {|#3:s3.DeleteObjectAsync("photos", "a.jpg")|};
            }
            catch (Amazon.S3.AmazonS3Exception e) when (e.ErrorCode == "AccessDenied")
            {
            }

            var put = await {|#4:s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "photos", Key = "b.txt", ContentBody = "y" })|};
            System.Console.WriteLine(put.ETag);
            await {|#5:s3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = "photos", Prefix = "2026/" })|};
            await {|#6:s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "photos", Key = "c.txt", ContentBody = "z" })|};
            """,
            Expect(Descriptors.ProviderSdk, 0, $"AmazonS3Client.GetObjectAsync {Fixed} (no automatic fix: its response's Headers is read, which Infrar gives by a second call (GetInfoAsync) beside the download: move it by hand)"),
            Expect(Descriptors.ProviderSdk, 1, $"AmazonS3Client.PutObjectAsync {Fixed} (no automatic fix: the request sets CannedACL, which Infrar cannot express (it carries a key, content, content type and metadata))"),
            Expect(Descriptors.ProviderSdk, 2, $"AmazonS3Client.DeleteObjectAsync {Fixed} (no automatic fix: the bucket name is not a constant, and Infrar declares each bucket by a constant logical name (its physical name comes from INFRAR_BUCKET_<NAME>): pass the name as a const string)"),
            Expect(Descriptors.ProviderSdk, 3, $"AmazonS3Client.DeleteObjectAsync {Fixed} (no automatic fix: a catch of AmazonS3Exception around it would no longer see the errors Infrar throws (ObjectNotFoundException, StorageException), and it does not pick out \"not found\" alone: move the call and its catch together)"),
            Expect(Descriptors.ProviderSdk, 4, $"AmazonS3Client.PutObjectAsync {Fixed} (no automatic fix: its response is read for ETag, and Infrar's call returns no response (it throws when it fails): move this call by hand)"),
            Expect(Descriptors.ProviderSdk, 5, $"AmazonS3Client.ListObjectsV2Async {Fixed} (no automatic fix: it lists page by page in a loop the fix does not follow (it moves the guide's do {{ response = await s3.ListObjectsV2Async(request); foreach (var o in response.S3Objects) …; request.ContinuationToken = response.NextContinuationToken; }} while (response.IsTruncated == true)): use Bucket.ListAsync(prefix) in an await foreach, which pages by itself)"),
            Expect(Descriptors.ProviderSdk, 6, $"AmazonS3Client.PutObjectAsync {Fixed} (the fix moves it)"));
    }

    [Fact]
    public async Task INFRAR0106_the_same_bucket_with_other_options_is_an_error_and_with_the_same_options_is_not()
    {
        // Reported at the odd one out (line 14), pointing back at the first declaration (line 12).
        await Verify<ConflictingDeclarationAnalyzer>("""
            var a = {|#1:Storage.Bucket("photos", new BucketOptions { Versioning = true })|};
            var b = Storage.Bucket("photos", new BucketOptions { Versioning = true });
            var c = {|#0:Storage.Bucket("photos", new BucketOptions { ExpireAfterDays = 30 })|};
            var d = Storage.Bucket("other");
            var e = Storage.Bucket("other");
            """,
            Expect(Descriptors.ConflictingDeclaration, 0, "Bucket 'photos' is declared here with other options than at App.cs:12; declare it once and share it").WithLocation(1));
    }

    [Fact]
    public async Task INFRAR0107_a_key_literal_that_leaves_its_folder_or_is_absolute_warns()
    {
        await Verify<UnsafeKeyAnalyzer>("""
            var photos = Storage.Bucket("photos");
            await photos.DeleteAsync({|#0:"/etc/passwd"|});
            await photos.CopyAsync({|#1:"../x.jpg"|}, "ok/x.jpg");
            await photos.DeleteAsync("2024/cat.jpg");
            await photos.DeleteAsync(args[0]);
            """,
            Expect(Descriptors.UnsafeKey, 0, "Object key '/etc/passwd' is not portable: it is an absolute path; keys are relative to their bucket"),
            Expect(Descriptors.UnsafeKey, 1, "Object key '../x.jpg' is not portable: it contains a '..' segment"));
    }

    [Fact]
    public async Task INFRAR0108_a_metadata_name_some_provider_changes_or_refuses_warns()
    {
        await Verify<MetadataNameAnalyzer>("""
            var photos = Storage.Bucket("photos");
            await photos.UploadAsync("a.jpg", new byte[0], new UploadOptions
            {
                Metadata = new Dictionary<string, string> { [{|#0:"Camera-Model"|}] = "x100", ["album"] = "summer" },
            });
            await photos.UploadAsync("b.jpg", new byte[0], new UploadOptions { Metadata = new Dictionary<string, string> { { "taken_at", "now" }, { {|#1:"9lives"|}, "no" } } });
            """,
            new DiagnosticResult(Descriptors.MetadataName).WithLocation(0).WithArguments("Camera-Model"),
            new DiagnosticResult(Descriptors.MetadataName).WithLocation(1).WithArguments("9lives"));
    }

    [Fact]
    public async Task INFRAR0109_a_signed_url_beyond_seven_days_warns()
    {
        await Verify<SignedUrlExpiryAnalyzer>("""
            var photos = Storage.Bucket("photos");
            var month = await photos.GetDownloadUrlAsync("a.jpg", {|#0:TimeSpan.FromDays(30)|});
            var week = await photos.GetDownloadUrlAsync("a.jpg", TimeSpan.FromDays(7));
            var hour = await photos.GetUploadUrlAsync("a.jpg", TimeSpan.FromHours(1));
            """,
            Expect(Descriptors.SignedUrlExpiry, 0, "A signed URL that lasts 30.00:00:00 is refused by S3 and Cloud Storage, which allow from 1 second to 7 days"));
    }

    [Fact]
    public async Task INFRAR0109_reports_forever_and_nonsense_instead_of_throwing()
    {
        await Verify<SignedUrlExpiryAnalyzer>("""
            var photos = Storage.Bucket("photos");
            var forever = await photos.GetDownloadUrlAsync("a.jpg", {|#0:TimeSpan.FromDays(int.MaxValue)|});
            var longer = await photos.GetDownloadUrlAsync("a.jpg", {|#1:TimeSpan.FromSeconds(long.MaxValue)|});
            var nan = await photos.GetDownloadUrlAsync("a.jpg", {|#2:TimeSpan.FromHours(double.NaN)|});
            var none = await photos.GetUploadUrlAsync("a.jpg", {|#3:TimeSpan.FromMinutes(0)|});
            """,
            new DiagnosticResult(Descriptors.SignedUrlExpiry).WithLocation(0).WithArguments("longer than TimeSpan.MaxValue"),
            new DiagnosticResult(Descriptors.SignedUrlExpiry).WithLocation(1).WithArguments("longer than TimeSpan.MaxValue"),
            new DiagnosticResult(Descriptors.SignedUrlExpiry).WithLocation(2).WithArguments("NaN seconds"),
            new DiagnosticResult(Descriptors.SignedUrlExpiry).WithLocation(3).WithArguments("0 seconds or less"));
    }

    private static Task<IReadOnlyList<Diagnostic>> Analyze(string body, DiagnosticAnalyzer analyzer, string provider = "local") =>
        AnalyzerHarness.AnalyzeAsync(Header + Indent(body) + Footer, provider, analyzer);

    private static Task Verify<TAnalyzer>(string body, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new() =>
        Verify<TAnalyzer>(body, "local", expected);

    private static async Task Verify<TAnalyzer>(string body, string provider, params DiagnosticResult[] expected)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = Verifiers.Analyzer<TAnalyzer>(Header + Indent(body) + Footer, provider);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    private static DiagnosticResult Expect(DiagnosticDescriptor rule, int marker, string message) =>
        new DiagnosticResult(rule).WithLocation(marker).WithMessage(message);

    private static string Indent(string body) => string.Join("\n", body.Split('\n').Select(l => "        " + l));
}
