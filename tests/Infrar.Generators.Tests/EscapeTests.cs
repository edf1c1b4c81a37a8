using Infrar.Testing;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Infrar.Generators.Tests;

/// <summary>
/// Code that could slip past the rewrite or mislead the grants: borrowed names, reassigned variables, strange file
/// names, and assemblies built for another provider. None may crash the generator, be charged to the wrong bucket, or
/// leave a cloud build with calls the local store would run.
/// </summary>
public sealed class EscapeTests
{
    [Fact]
    public void A_users_own_attribute_of_Infrars_name_makes_no_call_site_and_no_crash()
    {
        const string source = """
            using System;
            using System.Threading.Tasks;
            namespace Infrar.Internal
            {
                [AttributeUsage(AttributeTargets.Method)]
                public sealed class InfrarOperationAttribute(string id) : Attribute
                {
                    public string Id { get; } = id;
                }
            }

            namespace App
            {
                public sealed class Uploader
                {
                    [Infrar.Internal.InfrarOperation("upload_stream")]
                    public Task UploadAsync(string key) => Task.CompletedTask;
                }

                public static class Use
                {
                    public static Task RunAsync() => new Uploader().UploadAsync("k");
                }
            }
            """;

        var result = GeneratorHarness.Run("aws", [("App.cs", source)]);

        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.DoesNotContain(result.GeneratedSources.Keys, name => name.StartsWith("Infrar.Storage.", StringComparison.Ordinal));
        Assert.Contains("\"calls\": []", result.GeneratedSources["Infrar.Manifest.g.cs"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_users_own_Storage_class_in_a_namespace_ending_in_Infrar_declares_no_bucket()
    {
        const string source = """
            namespace Acme.Infrar
            {
                public static class Storage
                {
                    public static string Bucket(string name) => name;
                }
            }

            public static class Use
            {
                public static string Name => Acme.Infrar.Storage.Bucket("not-a-bucket");
            }
            """;

        var result = GeneratorHarness.Run("aws", [("App.cs", source)]);

        Assert.Contains("\"buckets\": []", result.GeneratedSources["Infrar.Manifest.g.cs"], StringComparison.Ordinal);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void A_bucket_declared_under_using_static_is_declared_and_its_calls_traced()
    {
        const string source = """
            using System.Threading.Tasks;
            using static Infrar.Storage;

            public static class Use
            {
                public static async Task RunAsync()
                {
                    var reports = Bucket("reports");
                    await reports.DeleteAsync("old.csv");
                }
            }
            """;

        var result = GeneratorHarness.Run("aws", [("App.cs", source)]);

        var manifest = result.GeneratedSources["Infrar.Manifest.g.cs"];
        Assert.Contains("{ \"name\": \"reports\", \"declaredAt\": \"App.cs:8\"", manifest, StringComparison.Ordinal);
        Assert.Contains("{ \"operation\": \"delete\", \"bucket\": \"reports\", \"destination\": null, \"at\": \"App.cs:9\" }", manifest, StringComparison.Ordinal);
        Assert.Empty(result.Problems);
    }

    [Theory]
    [InlineData("var target = Storage.Bucket(\"a\");\n        if (flag) { target = Storage.Bucket(\"b\"); }", null)]
    [InlineData("var target = Storage.Bucket(\"a\");\n        if (flag) { target = Storage.Bucket(\"a\"); }", "a")]
    [InlineData("Bucket target;\n        target = flag ? Storage.Bucket(\"a\") : Storage.Bucket(\"b\");", null)]
    [InlineData("var target = Storage.Bucket(\"a\");\n        Swap(ref target);", null)]
    [InlineData("var target = Storage.Bucket(\"a\");", "a")]
    public void A_variable_is_charged_to_a_bucket_only_when_every_value_it_gets_names_that_bucket(string code, string? bucket)
    {
        var source = $$"""
            using System.Threading.Tasks;
            using Infrar;

            public static class Use
            {
                public static async Task RunAsync(bool flag)
                {
                    {{code}}
                    await target.UploadAsync("k", new byte[1]);
                }

                private static void Swap(ref Bucket b) => b = Storage.Bucket("c");
            }
            """;

        var result = GeneratorHarness.Run("aws", [("App.cs", source)]);

        var manifest = result.GeneratedSources["Infrar.Manifest.g.cs"];
        Assert.Contains($"\"operation\": \"upload_bytes\", \"bucket\": {(bucket is null ? "null" : $"\"{bucket}\"")}", manifest, StringComparison.Ordinal);
        Assert.Equal(bucket is null, result.GeneratorDiagnostics.Any(d => d.Id == "INFRAR0010"));
    }

    [Theory]
    [InlineData("_target = Storage.Bucket(\"a\");", "public Store(int x) { _target = Storage.Bucket(\"b\"); }", null)]
    [InlineData("_target = Storage.Bucket(\"a\");", "public Store(int x) { _target = Storage.Bucket(\"a\"); }", "a")]
    [InlineData("_target = Storage.Bucket(\"a\");", "", "a")]
    public void A_readonly_field_set_in_constructors_is_charged_only_when_they_agree(string first, string second, string? bucket)
    {
        var source = $$"""
            using System.Threading.Tasks;
            using Infrar;

            public sealed class Store
            {
                private readonly Bucket _target;

                public Store() { {{first}} }

                {{second}}

                public Task SaveAsync() => _target.UploadAsync("k", new byte[1]);
            }
            """;

        var result = GeneratorHarness.Run("aws", [("Store.cs", source)]);

        Assert.Contains($"\"operation\": \"upload_bytes\", \"bucket\": {(bucket is null ? "null" : $"\"{bucket}\"")}", result.GeneratedSources["Infrar.Manifest.g.cs"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws")]
    [InlineData("azure")]
    [InlineData("gcp")]
    public void File_and_bucket_names_with_line_breaks_quotes_and_comment_ends_still_make_code_that_compiles(string provider)
    {
        const string source = """
            using System.Threading.Tasks;
            using Infrar;

            public static class Use
            {
                public static Task RunAsync() => Storage.Bucket("odd\u2028name\u0085\u2029").DeleteAsync("k");
            }
            """;

        var result = GeneratorHarness.Run(provider, [("Line\nbreak\u2028in \"the\" */ name.cs", source)]);

        Assert.DoesNotContain(result.Problems, d => d.Id != "INFRAR0010");
        Assert.NotNull(GeneratorHarness.EmitAndLoad(result.Compilation));
    }

    [Fact]
    public void An_assembly_built_for_another_provider_with_Infrar_calls_fails_the_build_naming_it()
    {
        const string library = """
            using System.Threading.Tasks;
            using Infrar;
            public static class Archive
            {
                public static Task StoreAsync(byte[] pdf) => Storage.Bucket("statements").UploadAsync("x.pdf", pdf);
            }
            """;
        var builtLocally = GeneratorHarness.Image(GeneratorHarness.Run("local", [("Archive.cs", library)], assemblyName: "Ledger").Compilation);
        const string app = "public static class Program { public static System.Threading.Tasks.Task Main() => Archive.StoreAsync(new byte[1]); }";

        var onAws = GeneratorHarness.Run("aws", [("Program.cs", app)], extraReferences: [builtLocally]);
        var allowed = GeneratorHarness.Run("aws", [("Program.cs", app)], extraReferences: [builtLocally], properties: new Dictionary<string, string> { ["InfrarMixedProviderReferences"] = "Ledger" });
        var onLocal = GeneratorHarness.Run("local", [("Program.cs", app)], extraReferences: [builtLocally]);

        var error = Assert.Single(onAws.GeneratorDiagnostics);
        Assert.Equal("INFRAR0003", error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.StartsWith("Ledger makes 1 call(s) on Infrar resources compiled for InfrarProvider=local, but this project is built for aws", error.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(allowed.GeneratorDiagnostics);
        Assert.Empty(onLocal.GeneratorDiagnostics);
    }

    [Fact]
    public void Every_build_records_its_provider_and_call_count_in_the_assembly()
    {
        var result = GeneratorHarness.Run("AWS ", [("PhotoLibrary.cs", Sources.EveryOperation)]);

        var record = GeneratorHarness.EmitAndLoad(result.Compilation).GetCustomAttributes(typeof(Infrar.Internal.InfrarBuildAttribute), false).Cast<Infrar.Internal.InfrarBuildAttribute>().Single();
        Assert.Equal("aws", record.Provider);
        Assert.Equal(14, record.Calls);
    }
}
