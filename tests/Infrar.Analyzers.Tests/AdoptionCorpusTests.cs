using System.Collections.Immutable;
using System.Reflection;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Infrar.Analyzers.Rules;
using Infrar.CodeFixes;
using Infrar.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;
using Xunit.Abstractions;

namespace Infrar.Analyzers.Tests;

/// <summary>
/// The adoption corpus (Corpus/): S3 and Blob Storage apps written as apps and the vendors' guides write them. Each is
/// run against its emulator (s3rver, Azurite) as written, then moved onto Infrar by the IDE's Fix All and built on the
/// local provider; an app the fix moves whole is run again there and must leave the same objects (content, content
/// type, metadata), the same files and the same log. Every call the fix leaves must say why.
/// </summary>
public sealed class AdoptionCorpusTests(AdoptionCorpusTests.Emulators emulators, ITestOutputHelper output) : IClassFixture<AdoptionCorpusTests.Emulators>
{
    /// <summary>The apps, with the buckets or containers each writes to, and whether the fix must move every call in it.</summary>
    public static TheoryData<string, string[], bool> Apps => new()
    {
        { "S3/UploadObject.cs", ["docs-upload"], true },
        { "S3/ReadObjects.cs", ["reads"], true },
        { "S3/PhotoLibrary.cs", ["photo-library", "photo-thumbnails"], true },
        { "S3/ListObjectsGuide.cs", ["guide-list"], true },
        { "S3/GetObjectGuide.cs", ["guide"], false },
        { "S3/Basics.cs", ["docs-basics"], false },
        { "Blob/DocumentStore.cs", ["documents"], true },
        { "Blob/Thumbnails.cs", ["images"], false },
        { "Blob/Quickstart.cs", [], false },
    };

    private static readonly string CorpusFolder = Path.Combine(AppContext.BaseDirectory, "Corpus");

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task An_app_fixed_onto_infrar_builds_and_a_fully_moved_one_leaves_the_same_objects_on_the_local_provider(string app, string[] buckets, bool movedWhole)
    {
        var source = await File.ReadAllTextAsync(Path.Combine(CorpusFolder, app));
        var blob = app.StartsWith("Blob/", StringComparison.Ordinal);
        var name = Path.GetFileNameWithoutExtension(app);

        var (migrated, before, after) = await FixAllAsync(app, source);
        output.WriteLine($"{app}: moved {before.Length - after.Length} of {before.Length} calls");
        foreach (var left in after)
        {
            output.WriteLine($"  line {left.Location.GetLineSpan().StartLinePosition.Line + 1}: {left.GetMessage()}");
            Assert.Matches(@"\(no automatic fix: .+\)$", left.GetMessage());
        }

        output.WriteLine(migrated);
        Assert.NotEmpty(before);
        Assert.Equal(movedWhole, after.Length == 0);

        // As written, against the emulator.
        var (writtenLog, writtenFiles) = await RunAsync(GeneratorHarness.CreateCompilation([(app, source)], $"{name}Written"), name, blob ? emulators.AzuriteConnectionString : emulators.S3);
        var written = blob ? await emulators.BlobObjectsAsync(buckets) : await emulators.S3ObjectsAsync(buckets);

        // Moved onto Infrar: it builds on the local provider, with no error.
        var built = GeneratorHarness.Run("local", [(app, migrated)], assemblyName: $"{name}Moved");
        Assert.DoesNotContain(built.Problems, p => p.Severity == DiagnosticSeverity.Error);
        if (!movedWhole)
        {
            return;
        }

        // Moved whole, it needs no client: the SDK parameter gets null, so any call left on it would fail.
        var (movedLog, movedFiles) = await RunAsync(built.Compilation, name, null);
        var moved = await LocalObjectsAsync(buckets);

        Assert.NotEmpty(written);
        Assert.Equal(Describe(written), Describe(moved));
        Assert.Equal(writtenLog, movedLog);
        Assert.Equal(writtenFiles, movedFiles);
    }

    [Fact]
    public async Task The_fix_moves_at_least_half_of_the_corpus_calls_and_names_a_reason_for_every_other()
    {
        var (total, left) = (0, 0);
        foreach (var app in Apps.Select(row => (string)row[0]))
        {
            var (_, before, after) = await FixAllAsync(app, await File.ReadAllTextAsync(Path.Combine(CorpusFolder, app)));
            total += before.Length;
            left += after.Length;
            Assert.All(after, d => Assert.Contains("(no automatic fix: ", d.GetMessage(), StringComparison.Ordinal));
        }

        output.WriteLine($"corpus: moved {total - left} of {total} calls");
        Assert.True(total - left >= total / 2.0, $"the fix moved {total - left} of {total} calls, fewer than half");
    }

    /// <summary>The app's INFRAR0105 diagnostics, the text Fix All in the document makes of it, and the diagnostics left.</summary>
    private static async Task<(string Migrated, ImmutableArray<Diagnostic> Before, ImmutableArray<Diagnostic> After)> FixAllAsync(string path, string source)
    {
        using var workspace = new AdhocWorkspace();
        var project = workspace.CurrentSolution
            .AddProject("Corpus", "Corpus", LanguageNames.CSharp)
            .WithParseOptions(GeneratorHarness.ParseOptions)
            .WithCompilationOptions(new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable))
            .AddMetadataReferences(GeneratorHarness.References);
        var document = project.AddDocument(path, SourceText.From(source), filePath: path);

        var before = await DiagnosticsAsync(document.Project);
        var fix = new ProviderSdkCodeFix();
        var context = new FixAllContext(document, fix, FixAllScope.Document, nameof(ProviderSdkCodeFix), [before[0].Id], new Found(before), CancellationToken.None);
        var action = await fix.GetFixAllProvider().GetFixAsync(context);
        var fixedDocument = document;
        foreach (var operation in action is null ? [] : await action.GetOperationsAsync(CancellationToken.None))
        {
            if (operation is ApplyChangesOperation apply)
            {
                fixedDocument = apply.ChangedSolution.GetDocument(document.Id)!;
            }
        }

        var after = await DiagnosticsAsync(fixedDocument.Project);
        return ((await fixedDocument.GetTextAsync()).ToString(), before, after);
    }

    private static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        var options = new AnalyzerOptions([], new ProviderOptions("local"));
        var found = await compilation.WithAnalyzers([new ProviderSdkAnalyzer()], options).GetAnalyzerDiagnosticsAsync();
        return [.. found.Where(d => d.Id == "INFRAR" + "0105").OrderBy(d => d.Location.SourceSpan.Start)];
    }

    /// <summary>
    /// Runs <c>RunAsync(client, work, log)</c> of the app's class in a folder of its own: what it logged, and every file it
    /// left there with its content's hash.
    /// </summary>
    private static async Task<(string Log, string Files)> RunAsync(Compilation compilation, string name, object? client)
    {
        var type = EmitAndLoad(compilation).GetTypes().Single(t => t.Name == name);
        var work = Directory.CreateTempSubdirectory("infrar-corpus-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(work, "downloads"));
            await File.WriteAllTextAsync(Path.Combine(work, "notes.md"), "# notes\n");
            using var log = new StringWriter();
            await (Task)type.GetMethod("RunAsync", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, [client, work, log])!;
            var files = Directory.EnumerateFiles(work, "*", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal)
                .Select(file => $"{Path.GetRelativePath(work, file)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)))}");
            return (log.ToString(), string.Join("\n", files));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Emits and loads a compilation that has no error; warnings (an SDK parameter left unread by the move) are allowed.</summary>
    private static Assembly EmitAndLoad(Compilation compilation)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return new System.Runtime.Loader.AssemblyLoadContext($"{compilation.AssemblyName}-{Guid.NewGuid():N}").LoadFromStream(new MemoryStream(image.ToArray()));
    }

    /// <summary>What the app left in Infrar's local store, in the buckets named.</summary>
    private static async Task<List<StoredObject>> LocalObjectsAsync(string[] buckets)
    {
#pragma warning disable CA1857 // The buckets are the corpus apps' own, named by the theory's data.
        var found = new List<StoredObject>();
        foreach (var bucket in buckets)
        {
            await foreach (var entry in Storage.Bucket(bucket).ListAsync())
            {
                var info = await Storage.Bucket(bucket).GetInfoAsync(entry.Key);
                var content = await Storage.Bucket(bucket).DownloadBytesAsync(entry.Key);
                found.Add(new StoredObject(bucket, entry.Key, content, info.ContentType, info.Metadata.ToDictionary()));
            }
        }
#pragma warning restore CA1857

        return found;
    }

    private static string Describe(IEnumerable<StoredObject> objects) =>
        string.Join("\n", objects.OrderBy(o => o.Bucket, StringComparer.Ordinal).ThenBy(o => o.Key, StringComparer.Ordinal).Select(o => o.ToString()));

    /// <summary>An object as a user sees it: where it is, its content, content type and metadata.</summary>
    public sealed record StoredObject(string Bucket, string Key, byte[] Content, string ContentType, Dictionary<string, string> Metadata)
    {
        public override string ToString() =>
            $"{Bucket}/{Key}: {Content.Length} bytes {Convert.ToHexString(SHA256.HashData(Content))[..16]}, {ContentType}, " +
            string.Join(", ", Metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}"));
    }

    private sealed class Found(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }

    /// <summary>s3rver and Azurite for the corpus, and the local store's root (one per process: Infrar reads it once).</summary>
    public sealed class Emulators : IAsyncLifetime
    {
        private static readonly string[] S3Buckets = ["docs-upload", "reads", "photo-library", "photo-thumbnails", "guide", "guide-list", "docs-basics"];
        private readonly List<NodeEmulator> _running = [];
        private DirectoryInfo? _root;

        public AmazonS3Client S3 { get; private set; } = null!;

        public string AzuriteConnectionString { get; private set; } = "";

        public async Task InitializeAsync()
        {
            _root = Directory.CreateTempSubdirectory("infrar-corpus-emulators-");
            LocalStore.Use();
            var s3Port = FreePort.Next();
            var s3Directory = Directory.CreateDirectory(Path.Combine(_root.FullName, "s3rver")).FullName;
            _running.Add(await NodeEmulator.StartAsync("s3rver", "start-s3rver.cjs", s3Port, [s3Port.ToString(), s3Directory, .. S3Buckets]));
            S3 = EmulatorClients.S3rver(s3Port);

            var blobPort = FreePort.Next();
            _running.Add(await NodeEmulator.StartAsync(
                "Azurite", "node_modules/azurite/dist/src/blob/main.js", blobPort,
                "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(), "--inMemoryPersistence", "--silent", "--skipApiVersionCheck"));
            AzuriteConnectionString = EmulatorClients.AzuriteConnectionString(blobPort);
        }

        public async Task<List<StoredObject>> S3ObjectsAsync(string[] buckets)
        {
            var found = new List<StoredObject>();
            foreach (var bucket in buckets)
            {
                await foreach (var listed in S3.Paginators.ListObjectsV2(new ListObjectsV2Request { BucketName = bucket }).S3Objects)
                {
                    using var response = await S3.GetObjectAsync(bucket, listed.Key);
                    using var content = new MemoryStream();
                    await response.ResponseStream.CopyToAsync(content);
                    var metadata = response.Metadata.Keys.ToDictionary(k => k["x-amz-meta-".Length..], k => response.Metadata[k]);
                    found.Add(new StoredObject(bucket, listed.Key, content.ToArray(), response.Headers.ContentType, metadata));
                }
            }

            return found;
        }

        public async Task<List<StoredObject>> BlobObjectsAsync(string[] containers)
        {
            var service = new BlobServiceClient(AzuriteConnectionString);
            var found = new List<StoredObject>();
            foreach (var name in containers)
            {
                var container = service.GetBlobContainerClient(name);
                await foreach (var item in container.GetBlobsAsync())
                {
                    var download = (await container.GetBlobClient(item.Name).DownloadContentAsync()).Value;
                    found.Add(new StoredObject(name, item.Name, download.Content.ToArray(), download.Details.ContentType, new Dictionary<string, string>(download.Details.Metadata)));
                }
            }

            return found;
        }

        public Task DisposeAsync()
        {
            S3?.Dispose();
            foreach (var emulator in _running)
            {
                emulator.Dispose();
            }

            _root?.Delete(recursive: true);
            return Task.CompletedTask;
        }
    }
}
