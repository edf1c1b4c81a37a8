using Infrar.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Infrar.Generators.Tests;

/// <summary>The generator records what the code asks of its infrastructure, for Infrar.Build to turn into OpenTofu.</summary>
public sealed class ManifestTests
{
    [Fact]
    public void The_manifest_lists_each_bucket_with_its_options_and_each_call_with_its_site()
    {
        var result = GeneratorHarness.Run("local", [("PhotoLibrary.cs", Sources.EveryOperation)]);

        Snapshot.Match(result.GeneratedSources["Infrar.Manifest.g.cs"], "manifest.g.cs");
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Calls_on_a_bucket_declared_in_another_file_are_traced_to_it()
    {
        const string buckets = """
            using Infrar;
            namespace App;
            public static class Buckets
            {
                public static readonly Bucket Invoices = Storage.Bucket("invoices", new BucketOptions { ExpireAfterDays = 90, CorsOrigins = ["https://app.example.com"] });
                public static Bucket Reports { get; } = Storage.Bucket("reports");
            }
            """;
        const string use = """
            using System.Threading.Tasks;
            namespace App;
            public static class Billing
            {
                public static async Task RunAsync()
                {
                    await Buckets.Invoices.DeleteAsync("old.pdf");
                    await Buckets.Invoices.CopyToAsync("new.pdf", Buckets.Reports, "copy.pdf");
                }
            }
            """;

        var result = GeneratorHarness.Run("aws", [("Buckets.cs", buckets), ("Billing.cs", use)]);

        var manifest = result.GeneratedSources["Infrar.Manifest.g.cs"];
        Assert.Contains("{ \"operation\": \"delete\", \"bucket\": \"invoices\", \"destination\": null, \"at\": \"Billing.cs:7\" }", manifest, StringComparison.Ordinal);
        Assert.Contains("{ \"operation\": \"copy_to\", \"bucket\": \"invoices\", \"destination\": \"reports\", \"at\": \"Billing.cs:8\" }", manifest, StringComparison.Ordinal);
        Assert.Contains("{ \"name\": \"invoices\", \"declaredAt\": \"Buckets.cs:5\", \"versioning\": false, \"expireAfterDays\": 90, \"corsOrigins\": [\"https://app.example.com\"], \"public\": false }", manifest, StringComparison.Ordinal);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void A_call_on_a_bucket_passed_in_is_reported_because_its_permissions_cannot_be_granted()
    {
        const string source = """
            using System.Threading.Tasks;
            using Infrar;
            namespace App;
            public static class Cleaner
            {
                public static Task Clean(Bucket bucket) => bucket.DeleteAsync("tmp");
            }
            """;

        var result = GeneratorHarness.Run("aws", [("Cleaner.cs", source)]);

        var warning = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("INFRAR0010", warning.Id);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("Cleaner.cs: (5,54)-(5,65)", warning.Location.GetLineSpan().ToString());
        Assert.Contains("\"bucket\": null", result.GeneratedSources["Infrar.Manifest.g.cs"], StringComparison.Ordinal);
    }

    [Fact]
    public void The_manifest_lists_each_queue_with_its_options_in_seconds_and_each_queue_call_dead_letter_calls_marked()
    {
        var result = GeneratorHarness.Run("aws", [("Thumbnails.cs", Sources.EveryQueueOperation)]);

        var manifest = result.GeneratedSources["Infrar.Manifest.g.cs"];
        Assert.Contains("{ \"name\": \"thumbnail-jobs\", \"declaredAt\": \"Thumbnails.cs:14\", \"visibilityTimeoutSeconds\": 120, \"maxDeliveries\": 3, \"retentionSeconds\": 172800 }", manifest, StringComparison.Ordinal);
        Assert.Contains("{ \"name\": \"audit\", \"declaredAt\": \"Thumbnails.cs:23\", \"visibilityTimeoutSeconds\": 30, \"maxDeliveries\": 5, \"retentionSeconds\": 345600 }", manifest, StringComparison.Ordinal);
        Assert.Contains("{ \"operation\": \"send_json\", \"queue\": \"audit\", \"at\": \"Thumbnails.cs:27\" }", manifest, StringComparison.Ordinal);
        Assert.Contains("{ \"operation\": \"receive\", \"queue\": \"thumbnail-jobs\", \"at\": \"Thumbnails.cs:33\" }", manifest, StringComparison.Ordinal);
        Assert.Contains("{ \"operation\": \"receive\", \"queue\": \"thumbnail-jobs\", \"deadLetters\": true, \"at\": \"Thumbnails.cs:42\" }", manifest, StringComparison.Ordinal);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void A_call_on_a_queue_passed_in_is_reported_naming_the_queue_declaration()
    {
        const string source = """
            using System.Threading.Tasks;
            using Infrar;
            namespace App;
            public static class Notifier
            {
                public static Task<string> Notify(Queue queue) => queue.SendAsync("done");
            }
            """;

        var result = GeneratorHarness.Run("aws", [("Notifier.cs", source)]);

        var warning = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("INFRAR0010", warning.Id);
        Assert.Contains("which queue this SendAsync call uses", warning.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("Queues.Queue(\"name\")", warning.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("\"queue\": null", result.GeneratedSources["Infrar.Manifest.g.cs"], StringComparison.Ordinal);
    }
}
