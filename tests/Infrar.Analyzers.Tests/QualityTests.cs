using Infrar.Testing;
using Xunit;

namespace Infrar.Analyzers.Tests;

/// <summary>What every rule owes its users: a help page, no crash on broken code, and silence on good code.</summary>
public sealed class QualityTests
{
    [Fact]
    public void Every_rule_links_to_its_page_and_the_page_exists()
    {
        foreach (var descriptor in Descriptors.All)
        {
            Assert.Equal(Infrar.Generators.Diagnostics.InfrarCodes.HelpLink(descriptor.Id), descriptor.HelpLinkUri);
            var page = Path.Combine(RepositoryRoot.Path, "docs", "rules", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id} has no page at {page}");
            var text = File.ReadAllText(page);
            Assert.StartsWith($"# {descriptor.Id}: ", text, StringComparison.Ordinal);
            Assert.Contains("## Non-compliant", text, StringComparison.Ordinal);
            Assert.Contains("## Compliant", text, StringComparison.Ordinal);
        }

        Assert.Equal(Descriptors.All.Length, AnalyzerHarness.AllAnalyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().Count());
    }

    [Theory]
    [InlineData("var b = Storage.Bucket(")]
    [InlineData("var b = Storage.Bucket(\"photos\"); await b.UploadAsync(")]
    [InlineData("var b = Storage.Bucket(\"photos\", new BucketOptions { Versioning = }); b.")]
    [InlineData("await Storage.Bucket(\"x\").CopyToAsync(\"a\", , \"b\");")]
    [InlineData("var s3 = new Amazon.S3.AmazonS3Client(); await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = ")]
    [InlineData("dynamic d = Storage.Bucket(\"x\"); d.(")]
    [InlineData("Func<Task> f = Storage.Bucket(missing).;")]
    [InlineData("var s3 = new Amazon.S3.AmazonS3Client(); try { await s3.DeleteObjectAsync(\"b\", \"k\"); } catch (Amazon.S3.AmazonS3Exception e) when (e) { }")]
    [InlineData("using var r = await new Amazon.S3.AmazonS3Client().PutObjectAsync(null!);")]
    [InlineData("await foreach (var o in new Amazon.S3.AmazonS3Client().Paginators.ListObjectsV2(new Amazon.S3.Model.ListObjectsV2Request { BucketName = \"b\" }).S3Objects) { o. }")]
    [InlineData("var c = new Azure.Storage.Blobs.BlobContainerClient(\"\", \"photos\"); if (c != null) await c.CreateIfNotExistsAsync(); Azure.Storage.Blobs.Models.BlobProperties p = await c.GetBlobClient(\"a\").GetPropertiesAsync(); p.")]
    public async Task Broken_code_never_makes_an_analyzer_throw(string statement)
    {
        var source = $$"""
            using System;
            using System.Threading.Tasks;
            using Infrar;
            public static class Broken
            {
                public static async Task RunAsync()
                {
                    {{statement}}
                }
            """;

        foreach (var provider in new[] { "local", "aws", "azure", "gcp" })
        {
            await AnalyzerHarness.AnalyzeAsync(source, provider);
        }
    }

    [Theory]
    [InlineData("local")]
    [InlineData("aws")]
    [InlineData("azure")]
    [InlineData("gcp")]
    public async Task The_sample_is_silent_on_every_provider(string provider)
    {
        const string file = "samples/PhotoService/Program.cs";
        var source = "using System; using System.Collections.Generic; using System.IO; using System.Linq; using System.Threading; using System.Threading.Tasks;\n"
            + File.ReadAllText(Path.Combine(RepositoryRoot.Path, file));
        var compilation = GeneratorHarness.CreateCompilation([(file, source)], assemblyName: "Silent");

        var diagnostics = await AnalyzerHarness.AnalyzeAsync(compilation, provider, null);

        Assert.True(diagnostics.Count == 0, $"{file} on {provider}: {string.Join("\n", diagnostics)}");
    }
}
