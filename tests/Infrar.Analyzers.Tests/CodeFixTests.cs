using Infrar.Analyzers.Rules;
using Infrar.CodeFixes;
using Infrar.Testing;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace Infrar.Analyzers.Tests;

/// <summary>
/// Code fixes compared as whole documents, before and after: the framework applies them one diagnostic at a time
/// and by Fix All in the document, project and solution, and each way must give the same document.
/// </summary>
public sealed class CodeFixTests
{
    [Theory]
    [InlineData("Bucket", "Storage.Bucket", "Photos_Archive", "photos-archive")]
    [InlineData("Queue", "Queues.Queue", "Thumbnail Jobs", "thumbnail-jobs")]
    public async Task INFRAR0102_renames_the_resource_to_a_name_every_provider_accepts(string type, string declare, string invalid, string valid)
    {
        var before = $$"""
            using Infrar;

            public static class Resources
            {
                public static readonly {{type}} Archive = {{declare}}({|INFRAR0102:"{{invalid}}"|});
            }
            """;
        var after = $$"""
            using Infrar;

            public static class Resources
            {
                public static readonly {{type}} Archive = {{declare}}("{{valid}}");
            }
            """;

        await Verifiers.CodeFix<InvalidNameAnalyzer, InvalidNameCodeFix>(before, after).RunAsync();
    }

    [Fact]
    public async Task INFRAR0102_fix_all_renames_every_invalid_bucket_in_the_document()
    {
        const string before = """
            using Infrar;

            public static class Buckets
            {
                public static readonly Bucket Archive = Storage.Bucket({|INFRAR0102:"Photos_Archive"|});
                public static readonly Bucket Logs = Storage.Bucket({|INFRAR0102:"ab"|});
                public static readonly Bucket Fine = Storage.Bucket("fine");
            }
            """;
        const string after = """
            using Infrar;

            public static class Buckets
            {
                public static readonly Bucket Archive = Storage.Bucket("photos-archive");
                public static readonly Bucket Logs = Storage.Bucket("ab-bucket");
                public static readonly Bucket Fine = Storage.Bucket("fine");
            }
            """;

        await Verifiers.CodeFix<InvalidNameAnalyzer, InvalidNameCodeFix>(before, after).RunAsync();
    }

    [Fact]
    public async Task INFRAR0105_fix_all_moves_an_s3_program_onto_infrar_with_the_same_arguments()
    {
        const string before = """
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Amazon.S3;
            using Amazon.S3.Model;

            public static class Reports
            {
                public static async Task PublishAsync(IAmazonS3 s3, Stream pdf, CancellationToken ct)
                {
                    await {|INFRAR0105:s3.PutObjectAsync(new PutObjectRequest { BucketName = "reports", Key = "2026/11.pdf", InputStream = pdf, ContentType = "application/pdf" }, ct)|};
                    await {|INFRAR0105:s3.PutObjectAsync(new PutObjectRequest { BucketName = "reports", Key = "latest.txt", ContentBody = "2026/11.pdf" })|};
                    await {|INFRAR0105:s3.CopyObjectAsync("reports", "2026/11.pdf", "archive", "reports/2026/11.pdf", ct)|};
                    await {|INFRAR0105:s3.CopyObjectAsync("reports", "2026/11.pdf", "reports", "copy.pdf")|};
                    await {|INFRAR0105:s3.DeleteObjectAsync("reports", "draft.pdf", ct)|}.ConfigureAwait(false);
                    var kept = await {|INFRAR0105:s3.DeleteObjectAsync("reports", "kept.pdf")|};
                    System.Console.WriteLine(kept.DeleteMarker);
                }
            }
            """;
        const string expected = """
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Amazon.S3;
            using Amazon.S3.Model;
            using Infrar;

            public static class Reports
            {
                public static async Task PublishAsync(IAmazonS3 s3, Stream pdf, CancellationToken ct)
                {
                    await using (pdf)
                    {
                        await Storage.Bucket("reports").UploadAsync("2026/11.pdf", pdf, new UploadOptions { ContentType = "application/pdf" }, ct);
                    }
                    await Storage.Bucket("reports").UploadAsync("latest.txt", System.Text.Encoding.UTF8.GetBytes("2026/11.pdf"));
                    await Storage.Bucket("reports").CopyToAsync("2026/11.pdf", Storage.Bucket("archive"), "reports/2026/11.pdf", ct);
                    await Storage.Bucket("reports").CopyAsync("2026/11.pdf", "copy.pdf");
                    await Storage.Bucket("reports").DeleteAsync("draft.pdf", ct).ConfigureAwait(false);
                    var kept = await {|INFRAR0105:s3.DeleteObjectAsync("reports", "kept.pdf")|};
                    System.Console.WriteLine(kept.DeleteMarker);
                }
            }
            """;

        // The last delete's result is read, which Infrar's DeleteAsync does not return: it is reported, not fixed, so
        // the fixed document still marks it.
        var test = Verifiers.CodeFix<ProviderSdkAnalyzer, ProviderSdkCodeFix>(before, expected);
        test.FixedState.MarkupHandling = MarkupMode.Allow;
        await test.RunAsync();
    }

    [Fact]
    public async Task INFRAR0105_keeps_who_closes_the_stream_and_leaves_calls_whose_provider_errors_are_caught()
    {
        const string before = """
            using System;
            using System.IO;
            using System.Threading.Tasks;
            using Amazon.S3;
            using Amazon.S3.Model;

            public static class Uploads
            {
                public static async Task RunAsync(IAmazonS3 s3, Stream kept, string path)
                {
                    using var file = File.OpenRead(path);
                    await {|INFRAR0105:s3.PutObjectAsync(new PutObjectRequest { BucketName = "uploads", Key = "a.bin", InputStream = file })|};
                    await {|INFRAR0105:s3.PutObjectAsync(new PutObjectRequest { BucketName = "uploads", Key = "b.bin", InputStream = kept, AutoCloseStream = false })|};
                    try
                    {
                        await {|INFRAR0105:s3.DeleteObjectAsync("uploads", "old.bin")|};
                    }
                    catch (AmazonS3Exception e) when (e.ErrorCode == "AccessDenied")
                    {
                    }

                    try
                    {
                        await {|INFRAR0105:s3.DeleteObjectAsync("uploads", "older.bin")|};
                    }
                    catch (Exception)
                    {
                    }

                    try
                    {
                        await {|INFRAR0105:s3.CopyObjectAsync("uploads", "a.bin", "uploads", "c.bin")|};
                    }
                    catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
                    {
                        Console.WriteLine(e.Message);
                    }

                    try
                    {
                        await {|INFRAR0105:s3.CopyObjectAsync("uploads", "b.bin", "uploads", "d.bin")|};
                    }
                    catch (AmazonS3Exception) when (DateTime.Now.Year > 2000)
                    {
                    }
                }
            }
            """;
        const string after = """
            using System;
            using System.IO;
            using System.Threading.Tasks;
            using Amazon.S3;
            using Amazon.S3.Model;
            using Infrar;

            public static class Uploads
            {
                public static async Task RunAsync(IAmazonS3 s3, Stream kept, string path)
                {
                    using var file = File.OpenRead(path);
                    await Storage.Bucket("uploads").UploadAsync("a.bin", file);
                    await Storage.Bucket("uploads").UploadAsync("b.bin", kept);
                    try
                    {
                        await {|INFRAR0105:s3.DeleteObjectAsync("uploads", "old.bin")|};
                    }
                    catch (AmazonS3Exception e) when (e.ErrorCode == "AccessDenied")
                    {
                    }

                    try
                    {
                        await Storage.Bucket("uploads").DeleteAsync("older.bin");
                    }
                    catch (Exception)
                    {
                    }

                    try
                    {
                        await Storage.Bucket("uploads").CopyAsync("a.bin", "c.bin");
                    }
                    catch (StorageException e) when (e is ObjectNotFoundException or BucketNotFoundException)
                    {
                        Console.WriteLine(e.Message);
                    }

                    try
                    {
                        await {|INFRAR0105:s3.CopyObjectAsync("uploads", "b.bin", "uploads", "d.bin")|};
                    }
                    catch (AmazonS3Exception) when (DateTime.Now.Year > 2000)
                    {
                    }
                }
            }
            """;

        // A catch of AmazonS3Exception that picks out "not found" becomes Infrar's, and its call moves; one that
        // catches anything else would no longer see Infrar's exceptions: those calls stay, reported.
        var test = Verifiers.CodeFix<ProviderSdkAnalyzer, ProviderSdkCodeFix>(before, after);
        test.FixedState.MarkupHandling = MarkupMode.Allow;
        await test.RunAsync();
    }

    [Fact]
    public async Task INFRAR0105_moves_transfer_utility_uploads_and_downloads_and_blob_downloads()
    {
        const string before = """
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Amazon.S3.Transfer;
            using Azure.Storage.Blobs;

            public static class Transfers
            {
                public static async Task RunAsync(TransferUtility transfer, BlobServiceClient blobs, Stream stream, string path, CancellationToken ct)
                {
                    await {|INFRAR0105:transfer.UploadAsync(path, "backups", "2026/db.bak", ct)|};
                    await {|INFRAR0105:transfer.UploadAsync(path, "backups", ct)|};
                    await {|INFRAR0105:transfer.UploadAsync(stream, "backups", "stream.bak", ct)|};
                    await {|INFRAR0105:transfer.DownloadAsync(path, "backups", "2026/db.bak", ct)|};
                    var request = new TransferUtilityDownloadRequest { BucketName = "backups", Key = "old.bak", FilePath = path };
                    await {|INFRAR0105:transfer.DownloadAsync(request, ct)|};
                    var container = {|INFRAR0105:blobs.GetBlobContainerClient("photos")|};
                    var blob = {|INFRAR0105:container.GetBlobClient("cat.jpg")|};
                    await {|INFRAR0105:blob.DownloadToAsync(path, ct)|};
                    await {|INFRAR0105:{|INFRAR0105:container.GetBlobClient("dog.jpg")|}.DownloadToAsync(stream)|};
                }
            }
            """;
        const string after = """
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Amazon.S3.Transfer;
            using Azure.Storage.Blobs;
            using Infrar;

            public static class Transfers
            {
                public static async Task RunAsync(TransferUtility transfer, BlobServiceClient blobs, Stream stream, string path, CancellationToken ct)
                {
                    await Storage.Bucket("backups").UploadFileAsync("2026/db.bak", path, cancellationToken: ct);
                    await Storage.Bucket("backups").UploadFileAsync(System.IO.Path.GetFileName(path), path, cancellationToken: ct);
                    await using (stream)
                    {
                        await Storage.Bucket("backups").UploadAsync("stream.bak", stream, cancellationToken: ct);
                    }
                    await Storage.Bucket("backups").DownloadFileAsync("2026/db.bak", path, ct);
                    await Storage.Bucket("backups").DownloadFileAsync("old.bak", path, ct);
                    await Storage.Bucket("photos").DownloadFileAsync("cat.jpg", path, ct);
                    await Storage.Bucket("photos").DownloadAsync("dog.jpg", stream);
                }
            }
            """;

        // The clients made in the method go once no call is left on them.
        var test = Verifiers.CodeFix<ProviderSdkAnalyzer, ProviderSdkCodeFix>(before, after);
        await test.RunAsync();
    }

    [Fact]
    public async Task INFRAR0105_moves_requests_built_in_a_variable_and_the_request_overloads_of_delete_and_copy()
    {
        const string before = """
            using System.Threading;
            using System.Threading.Tasks;
            using Amazon.S3;
            using Amazon.S3.Model;

            public static class Reports
            {
                public static async Task ArchiveAsync(IAmazonS3 s3, string name, CancellationToken ct)
                {
                    var put = new PutObjectRequest
                    {
                        BucketName = "reports",
                        Key = name,
                        ContentBody = "draft",
                    };
                    await {|INFRAR0105:s3.PutObjectAsync(put, ct)|};
                    await {|INFRAR0105:s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = "reports", SourceKey = name, DestinationBucket = "archive", DestinationKey = "2026/" + name }, ct)|};
                    var delete = new DeleteObjectRequest { BucketName = "reports", Key = name };
                    await {|INFRAR0105:s3.DeleteObjectAsync(delete, ct)|};
                    var reused = new DeleteObjectRequest { BucketName = "reports", Key = "other" };
                    await {|INFRAR0105:s3.DeleteObjectAsync(reused, ct)|};
                    reused.Key = "third";
                    await {|INFRAR0105:s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = "reports", Key = name, VersionId = "3" }, ct)|};
                }
            }
            """;
        const string after = """
            using System.Threading;
            using System.Threading.Tasks;
            using Amazon.S3;
            using Amazon.S3.Model;
            using Infrar;

            public static class Reports
            {
                public static async Task ArchiveAsync(IAmazonS3 s3, string name, CancellationToken ct)
                {
                    await Storage.Bucket("reports").UploadAsync(name, System.Text.Encoding.UTF8.GetBytes("draft"), cancellationToken: ct);
                    await Storage.Bucket("reports").CopyToAsync(name, Storage.Bucket("archive"), "2026/" + name, ct);
                    await Storage.Bucket("reports").DeleteAsync(name, ct);
                    var reused = new DeleteObjectRequest { BucketName = "reports", Key = "other" };
                    await {|INFRAR0105:s3.DeleteObjectAsync(reused, ct)|};
                    reused.Key = "third";
                    await {|INFRAR0105:s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = "reports", Key = name, VersionId = "3" }, ct)|};
                }
            }
            """;

        // A request used again after the call, or one that sets what Infrar cannot express (a version), stays.
        var test = Verifiers.CodeFix<ProviderSdkAnalyzer, ProviderSdkCodeFix>(before, after);
        test.FixedState.MarkupHandling = MarkupMode.Allow;
        await test.RunAsync();
    }

    [Fact]
    public async Task INFRAR0105_moves_blob_container_calls_onto_infrar()
    {
        const string before = """
            using System.IO;
            using System.Threading.Tasks;
            using Azure.Storage.Blobs;
            using Infrar;

            public static class Inbox
            {
                public static async Task ReceiveAsync(Stream mail)
                {
                    var container = new BlobContainerClient("UseDevelopmentStorage=true", "inbox");
                    await {|INFRAR0105:container.UploadBlobAsync("mail-1.eml", mail)|};
                    await {|INFRAR0105:container.DeleteBlobIfExistsAsync("mail-0.eml")|};
                }
            }
            """;
        const string after = """
            using System.IO;
            using System.Threading.Tasks;
            using Azure.Storage.Blobs;
            using Infrar;

            public static class Inbox
            {
                public static async Task ReceiveAsync(Stream mail)
                {
                    await Storage.Bucket("inbox").UploadAsync("mail-1.eml", mail, new UploadOptions { ContentType = "application/octet-stream", IfNotExists = true });
                    await Storage.Bucket("inbox").DeleteAsync("mail-0.eml");
                }
            }
            """;

        await Verifiers.CodeFix<ProviderSdkAnalyzer, ProviderSdkCodeFix>(before, after).RunAsync();
    }

    [Fact]
    public async Task INFRAR0105_moves_blob_client_uploads_and_deletes_onto_infrar_keeping_overwrite()
    {
        const string before = """
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Azure.Storage.Blobs;
            using Infrar;

            public static class Photos
            {
                public static async Task StoreAsync(BlobServiceClient service, string name, Stream photo, string path, CancellationToken ct)
                {
                    var container = {|INFRAR0105:service.GetBlobContainerClient("photos")|};
                    var blob = {|INFRAR0105:container.GetBlobClient(name)|};
                    await {|INFRAR0105:blob.UploadAsync(photo, overwrite: true, ct)|};
                    await {|INFRAR0105:blob.UploadAsync(photo)|};
                    await {|INFRAR0105:{|INFRAR0105:container.GetBlobClient("thumb.jpg")|}.UploadAsync(path, overwrite: true)|};
                    await {|INFRAR0105:{|INFRAR0105:container.GetBlobClient("old.jpg")|}.DeleteIfExistsAsync(cancellationToken: ct)|};
                }
            }
            """;
        const string after = """
            using System.IO;
            using System.Threading;
            using System.Threading.Tasks;
            using Azure.Storage.Blobs;
            using Infrar;

            public static class Photos
            {
                public static async Task StoreAsync(BlobServiceClient service, string name, Stream photo, string path, CancellationToken ct)
                {
                    await Storage.Bucket("photos").UploadAsync(name, photo, new UploadOptions { ContentType = "application/octet-stream" }, ct);
                    await Storage.Bucket("photos").UploadAsync(name, photo, new UploadOptions { ContentType = "application/octet-stream", IfNotExists = true });
                    await Storage.Bucket("photos").UploadFileAsync("thumb.jpg", path, new UploadOptions { ContentType = "application/octet-stream" });
                    await Storage.Bucket("photos").DeleteAsync("old.jpg", ct);
                }
            }
            """;

        // The blob client goes once no call is left on it, and then the container client it came from.
        var test = Verifiers.CodeFix<ProviderSdkAnalyzer, ProviderSdkCodeFix>(before, after);
        await test.RunAsync();
    }

    [Fact]
    public async Task INFRAR0105_declares_a_bucket_named_by_configuration_as_a_constant_and_names_it_so_in_every_call_of_the_class()
    {
        const string before = """
            using System;
            using System.Threading.Tasks;
            using Amazon.S3;
            using Amazon.S3.Model;

            public sealed class Archive(IAmazonS3 s3)
            {
                private readonly string _photosBucket = Environment
                    .GetEnvironmentVariable("PHOTOS_BUCKET")!;

                public async Task SaveAsync(string key, string text)
                {
                    await {|INFRAR0105:s3.PutObjectAsync(new PutObjectRequest { BucketName = _photosBucket, Key = key, ContentBody = text })|};
                }

                public async Task DeleteAsync(string key)
                {
                    await {|INFRAR0105:s3.DeleteObjectAsync(this._photosBucket, key)|};
                }
            }
            """;
        const string after = """
            using System;
            using System.Threading.Tasks;
            using Amazon.S3;
            using Amazon.S3.Model;

            public sealed class Archive(IAmazonS3 s3)
            {
                // Infrar declares this bucket; its physical name comes from INFRAR_BUCKET_PHOTOS, where _photosBucket (Environment .GetEnvironmentVariable("PHOTOS_BUCKET")!) named it before.
                private const string PhotosBucket = "photos";
                private readonly string _photosBucket = Environment
                    .GetEnvironmentVariable("PHOTOS_BUCKET")!;

                public async Task SaveAsync(string key, string text)
                {
                    await {|INFRAR0105:s3.PutObjectAsync(new PutObjectRequest { BucketName = PhotosBucket, Key = key, ContentBody = text })|};
                }

                public async Task DeleteAsync(string key)
                {
                    await {|INFRAR0105:s3.DeleteObjectAsync(PhotosBucket, key)|};
                }
            }
            """;

        // One action declares the bucket for both calls; what is left are calls "Use Infrar storage" now moves.
        var test = Verifiers.CodeFix<ProviderSdkAnalyzer, DeclareBucketCodeFix>(before, after);
        test.FixedState.MarkupHandling = MarkupMode.Allow;
        test.NumberOfFixAllIterations = 0;
        test.CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllCheck;
        await test.RunAsync();

        var model = GeneratorHarness.CreateCompilation([("Archive.cs", after.Replace("{|INFRAR0105:", "").Replace(")|}", ")"))]);
        var tree = model.SyntaxTrees.Single();
        var semantic = model.GetSemanticModel(tree);
        var calls = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax>()
            .Where(call => call.ToString().StartsWith("s3.", StringComparison.Ordinal));
        Assert.All(calls, call => Assert.Null(ProviderSdkRewrite.Plan(call, semantic, CancellationToken.None).WhyNot));
    }

    [Fact]
    public async Task INFRAR0105_writes_global_names_where_the_code_has_its_own_Storage_and_adds_no_ambiguous_using()
    {
        const string before = """
            using System.Threading.Tasks;
            using Amazon.S3;

            public static class Storage
            {
                public static string Bucket(string name) => name;
            }

            public static class Cleanup
            {
                public static async Task RunAsync(IAmazonS3 s3)
                {
                    await {|INFRAR0105:s3.DeleteObjectAsync("photos", "old.jpg")|};
                }
            }
            """;
        const string after = """
            using System.Threading.Tasks;
            using Amazon.S3;

            public static class Storage
            {
                public static string Bucket(string name) => name;
            }

            public static class Cleanup
            {
                public static async Task RunAsync(IAmazonS3 s3)
                {
                    await global::Infrar.Storage.Bucket("photos").DeleteAsync("old.jpg");
                }
            }
            """;

        await Verifiers.CodeFix<ProviderSdkAnalyzer, ProviderSdkCodeFix>(before, after).RunAsync();
    }
}
