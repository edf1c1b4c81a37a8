using System.Collections;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Infrar.Build.Tasks;
using Infrar.Testing;
using Microsoft.Build.Framework;

namespace Infrar.Benchmarks.Emission;

/// <summary>
/// The build step after compilation: read the manifest from the assembly, plan least-privilege grants, and write the
/// OpenTofu folder and infrar.manifest.json, for an app with 10, 100 or 1,000 buckets (each with an upload and a
/// download). "fresh folder" writes every file; "unchanged" is a rebuild where nothing changed and nothing is written.
/// </summary>
[MemoryDiagnoser]
public class EmissionBenchmarks
{
    private DirectoryInfo _root = null!;
    private string _assembly = null!;
    private int _run;

    [Params("aws", "gcp", "azure", "local")]
    public string Provider { get; set; } = "aws";

    [Params(10, 100, 1_000)]
    public int Buckets { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("infrar-emission-");
        _assembly = Path.Combine(_root.FullName, "Emission.dll");
        var result = GeneratorHarness.Run(Provider, [("Buckets.cs", Source(Buckets))], assemblyName: "Emission");
        using (var image = File.Create(_assembly))
        {
            var emitted = result.Compilation.Emit(image);
            if (!emitted.Success)
            {
                throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
            }
        }

        // The folder the "unchanged" benchmark rewrites, written once so that every run finds it up to date.
        Write(Path.Combine(_root.FullName, "unchanged"));
        var expected = Directory.GetFiles(Path.Combine(_root.FullName, "unchanged", "infra", Provider)).Length;
        if (expected == 0)
        {
            throw new InvalidOperationException($"No {Provider} infrastructure was written.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _root.Delete(recursive: true);

    [Benchmark(Description = "fresh folder")]
    public void WriteFresh() => Write(Path.Combine(_root.FullName, "fresh", (++_run).ToString(CultureInfo.InvariantCulture)));

    [Benchmark(Description = "unchanged")]
    public void WriteUnchanged() => Write(Path.Combine(_root.FullName, "unchanged"));

    private void Write(string project)
    {
        var engine = new CollectingBuildEngine();
        var task = new WriteInfrastructure
        {
            BuildEngine = engine,
            AssemblyPath = _assembly,
            Provider = Provider,
            ProjectName = "Emission",
            ProjectDirectory = project,
            InfrastructureRoot = Path.Combine(project, "infra"),
            InfrastructurePath = Path.Combine(project, "infra", Provider),
            ManifestPath = Path.Combine(project, "infrar.manifest.json"),
        };
        if (!task.Execute())
        {
            throw new InvalidOperationException(string.Join("\n", engine.Errors));
        }
    }

    private static string Source(int buckets)
    {
        var text = new StringBuilder("""
            using System.Threading.Tasks;
            using Infrar;

            namespace Emission;

            public static class App
            {
                public static async Task RunAsync(byte[] content)
                {

            """);
        for (var i = 0; i < buckets; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"        var b{i} = Storage.Bucket(\"data-{i:D4}\");\n");
            text.Append(CultureInfo.InvariantCulture, $"        await b{i}.UploadAsync(\"k\", content);\n");
            text.Append(CultureInfo.InvariantCulture, $"        _ = await b{i}.DownloadBytesAsync(\"k\");\n");
        }

        text.Append("    }\n}\n");
        return text.ToString();
    }

    private sealed class CollectingBuildEngine : IBuildEngine
    {
        public List<string> Errors { get; } = [];

        public bool ContinueOnError => false;

        public int LineNumberOfTaskNode => 0;

        public int ColumnNumberOfTaskNode => 0;

        public string ProjectFileOfTaskNode => "Emission.csproj";

        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => false;

        public void LogCustomEvent(CustomBuildEventArgs e)
        {
        }

        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add($"{e.Code}: {e.Message}");

        public void LogMessageEvent(BuildMessageEventArgs e)
        {
        }

        public void LogWarningEvent(BuildWarningEventArgs e)
        {
        }
    }
}
