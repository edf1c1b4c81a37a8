using Infrar.Testing;
using Xunit;

namespace Infrar.Build.Tests;

/// <summary>Real builds of the sample, as <c>dotnet build -p:InfrarProvider=…</c> runs them.</summary>
[Collection(RealBuilds.Name)]
public sealed class ProviderSelectionTests : IDisposable
{
    private readonly SampleCopy _sample = new();

    [Theory]
    [InlineData("local", null, null)]
    [InlineData("aws", "global::Amazon.S3.AmazonS3Client", "global::Amazon.SQS.AmazonSQSClient")]
    [InlineData("azure", "global::Azure.Storage.Blobs.BlobServiceClient", "global::Azure.Storage.Queues.QueueServiceClient")]
    [InlineData("gcp", "global::Google.Cloud.Storage.V1.StorageClient", "https://pubsub.googleapis.com/")]
    public async Task The_sample_builds_with_no_warning_for_each_provider(string provider, string? nativeClient, string? nativeQueueClient)
    {
        var project = _sample.Path;

        var build = await Dotnet.RunAsync(project, "build", "-warnaserror", "-nologo", $"-p:InfrarProvider={provider}", "-p:EmitCompilerGeneratedFiles=true");

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains("0 Warning(s)", build.Output, StringComparison.Ordinal);
        var generated = Directory.GetFiles(Path.Combine(project, "obj"), "Infrar.Storage.*.g.cs", SearchOption.AllDirectories);
        var queues = Directory.GetFiles(Path.Combine(project, "obj"), "Infrar.Queues.*.g.cs", SearchOption.AllDirectories);
        if (nativeClient is null)
        {
            Assert.Empty(generated);
            Assert.Empty(queues);
        }
        else
        {
            Assert.Contains(nativeClient, File.ReadAllText(Assert.Single(generated)), StringComparison.Ordinal);
            Assert.Contains(nativeQueueClient!, File.ReadAllText(Assert.Single(queues)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unknown_provider_fails_the_build_listing_the_valid_values()
    {
        var build = await Dotnet.RunAsync(_sample.Path, "build", "-nologo", "-p:InfrarProvider=oracle");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error INFRAR0001: InfrarProvider 'oracle' is not supported; valid values are: local, aws, azure, gcp.", build.Output, StringComparison.Ordinal);
    }

    public void Dispose() => _sample.Dispose();
}
