using Infrar.Testing;
using Xunit;

namespace Infrar.Generators.Tests;

/// <summary>What the generator writes for each provider, and that it compiles as cleanly as hand-written code.</summary>
public sealed class GeneratedCodeTests
{
    public static TheoryData<string> Clouds => ["aws", "azure", "gcp"];

    [Theory]
    [MemberData(nameof(Clouds))]
    public void The_generated_interceptors_match_their_snapshot(string provider)
    {
        var result = GeneratorHarness.Run(provider, [("PhotoLibrary.cs", Sources.EveryOperation)]);

        var text = result.GeneratedSources[$"Infrar.Storage.{char.ToUpperInvariant(provider[0])}{provider[1..]}.g.cs"];
        Snapshot.Match(text, $"{provider}.g.cs");
    }

    [Theory]
    [MemberData(nameof(Clouds))]
    public void Every_operation_compiles_with_no_warning(string provider)
    {
        var result = GeneratorHarness.Run(provider, [("PhotoLibrary.cs", Sources.EveryOperation)]);

        Assert.Empty(result.Problems);
        GeneratorHarness.EmitAndLoad(result.Compilation);
    }

    [Theory]
    [InlineData("aws", "global::Amazon.S3.AmazonS3Client", "Client.PutObjectAsync(")]
    [InlineData("azure", "global::Azure.Storage.Blobs.BlobServiceClient", ".GetBlobClient(key)")]
    [InlineData("gcp", "global::Google.Cloud.Storage.V1.StorageClient", "Client.UploadObjectAsync(")]
    public void Every_call_site_is_rewritten_into_the_providers_own_client(string provider, string client, string call)
    {
        var result = GeneratorHarness.Run(provider, [("PhotoLibrary.cs", Sources.EveryOperation)]);

        var text = result.GeneratedSources.Single(s => s.Key.StartsWith("Infrar.Storage.", StringComparison.Ordinal)).Value;
        Assert.Contains(client, text, StringComparison.Ordinal);
        Assert.Contains(call, text, StringComparison.Ordinal);
        Assert.Equal(14, text.Split("[global::System.Runtime.CompilerServices.InterceptsLocation(").Length - 1);
        Assert.Contains("// PhotoLibrary.cs(20,22)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_local_provider_rewrites_nothing()
    {
        var result = GeneratorHarness.Run("local", [("PhotoLibrary.cs", Sources.EveryOperation)]);

        Assert.Equal(["Infrar.Manifest.g.cs"], result.GeneratedSources.Keys);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void An_unknown_provider_is_reported_with_the_valid_values()
    {
        var result = GeneratorHarness.Run("oracle", [("PhotoLibrary.cs", Sources.EveryOperation)]);

        var error = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("INFRAR0001", error.Id);
        Assert.Equal("InfrarProvider 'oracle' is not supported; valid values are: local, aws, azure, gcp", error.GetMessage());
    }

    [Fact]
    public void A_missing_provider_package_is_reported_instead_of_uncompilable_code()
    {
        var compilation = GeneratorHarness.CreateCompilation([("PhotoLibrary.cs", Sources.EveryOperation)])
            .RemoveReferences(GeneratorHarness.References.Where(r => r.Display!.EndsWith("AWSSDK.S3.dll", StringComparison.Ordinal)));

        GeneratorHarness.CreateDriver("aws").RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);

        var error = Assert.Single(diagnostics);
        Assert.Equal("INFRAR0002", error.Id);
        Assert.Contains("AWSSDK.S3 4.1.0", error.GetMessage(), StringComparison.Ordinal);
        Assert.DoesNotContain(output.SyntaxTrees, t => t.FilePath.EndsWith("Infrar.Storage.Aws.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void Calls_on_other_types_with_the_same_method_names_are_left_alone()
    {
        const string lookalike = """
            using System.Threading.Tasks;
            namespace Elsewhere;
            public sealed class Uploader
            {
                public Task UploadAsync(string key, byte[] content) => Task.CompletedTask;
                public Task Use() => UploadAsync("k", new byte[0]);
            }
            """;

        var result = GeneratorHarness.Run("aws", [("Uploader.cs", lookalike)]);

        Assert.Equal(["Infrar.Manifest.g.cs"], result.GeneratedSources.Keys);
        Assert.Empty(result.Problems);
    }

    /// <summary>The clouds whose queue code the catalog holds: every one.</summary>
    public static TheoryData<string> QueueClouds =>
        [.. Generators.Catalog.EmbeddedCatalog.Value.Clouds.Where(p => p.Queues is { Operations.Count: > 0 }).Select(p => p.Id)];

    [Theory]
    [MemberData(nameof(QueueClouds))]
    public void The_generated_queue_interceptors_match_their_snapshot_and_compile_with_no_warning(string provider)
    {
        var result = GeneratorHarness.Run(provider, [("Thumbnails.cs", Sources.EveryQueueOperation)]);

        Assert.Empty(result.Problems);
        var text = result.GeneratedSources[$"Infrar.Queues.{char.ToUpperInvariant(provider[0])}{provider[1..]}.g.cs"];
        Snapshot.Match(text, $"{provider}.queues.g.cs");
        Assert.Equal(7, text.Split("[global::System.Runtime.CompilerServices.InterceptsLocation(").Length - 1);
        Assert.DoesNotContain("Infrar.Storage.", string.Join(",", result.GeneratedSources.Keys), StringComparison.Ordinal);
        GeneratorHarness.EmitAndLoad(result.Compilation);
    }

    [Fact]
    public void A_generic_send_gets_one_generic_interceptor_whatever_the_callers_type_arguments()
    {
        const string generic = """
            using System.Threading.Tasks;
            using Infrar;
            namespace Showcase;
            public static class Outbox
            {
                private static readonly Queue Events = Queues.Queue("events");
                public static Task<string> PublishAsync<TEvent>(TEvent value) => Events.SendJsonAsync(value);
                public static Task<string> PublishNumberAsync() => Events.SendJsonAsync(42);
                public static Task<string> PublishTextAsync() => Events.SendJsonAsync("text");
            }
            """;

        var result = GeneratorHarness.Run("aws", [("Outbox.cs", generic)]);

        Assert.Empty(result.Problems);
        var text = result.GeneratedSources["Infrar.Queues.Aws.g.cs"];
        Assert.Single(text.Split('\n'), line => line.Contains("SendJsonAsync<T>(", StringComparison.Ordinal));
        Assert.Equal(3, text.Split("[global::System.Runtime.CompilerServices.InterceptsLocation(").Length - 1);
        GeneratorHarness.EmitAndLoad(result.Compilation);
    }
}
