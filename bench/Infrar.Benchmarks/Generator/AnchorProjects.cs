using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Infrar.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Infrar.Benchmarks.Generator;

/// <summary>
/// Three generators that bind what they rewrite, each over a project with the same number of its own call sites spread
/// over the same number of files, plus one file unrelated to any of them for the edit: Infrar's (bucket calls, aws),
/// the .NET configuration binder's (<c>Get&lt;T&gt;</c> and <c>Bind</c> calls it intercepts) and System.Text.Json's
/// (<c>[JsonSerializable]</c> attributes, its call sites). The two anchors are the copies the .NET SDK ships in its
/// reference packs, which is where a build on this machine takes them from.
/// </summary>
public static class AnchorProjects
{
    public const string Infrar = "Infrar (aws)";
    public const string ConfigurationBinder = "Configuration.Binder";
    public const string SystemTextJson = "System.Text.Json";

    /// <summary>The project's compilation, the same after an edit to its unrelated file, and a driver for its generator.</summary>
    public static (CSharpCompilation Original, CSharpCompilation Edited, Func<GeneratorDriver> NewDriver) Create(string generator, int callSites, int files)
    {
        var (sources, references, newDriver) = generator switch
        {
            Infrar => (
                SyntheticProject.Create(callSites, files),
                Array.Empty<MetadataReference>(),
                (Func<GeneratorDriver>)(() => GeneratorHarness.CreateDriver("aws"))),
            ConfigurationBinder => (
                Spread(callSites, files, ConfigurationFile, Types("Settings")),
                [.. PackReferences("Microsoft.AspNetCore.App.Ref", "Microsoft.Extensions.Configuration.Abstractions", "Microsoft.Extensions.Configuration.Binder", "Microsoft.Extensions.Primitives")],
                () => Driver(PackGenerator("Microsoft.AspNetCore.App.Ref", "Microsoft.Extensions.Configuration.Binder.SourceGeneration"), new() { ["EnableConfigurationBindingGenerator"] = "true" })),
            SystemTextJson => (
                Spread(callSites, files, JsonFile, Types("Model")),
                Array.Empty<MetadataReference>(),
                () => Driver(PackGenerator("Microsoft.NETCore.App.Ref", "System.Text.Json.SourceGeneration"), [])),
            _ => throw new ArgumentOutOfRangeException(nameof(generator), generator, "no such anchor"),
        };

        var compilation = GeneratorHarness.CreateCompilation(sources, "Anchor").AddReferences(references);
        var unrelated = compilation.SyntaxTrees.Single(tree => tree.FilePath == SyntheticProject.UnrelatedPath);
        var edited = compilation.ReplaceSyntaxTree(unrelated, unrelated.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(SyntheticProject.Unrelated(1))));
        return (compilation, edited, newDriver);
    }

    private static GeneratorDriver Driver(IIncrementalGenerator generator, Dictionary<string, string> properties) =>
        CSharpGeneratorDriver.Create(
            [generator.AsSourceGenerator()],
            parseOptions: GeneratorHarness.ParseOptions,
            optionsProvider: new ProviderOptions("local", properties),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None));

    /// <summary>Each file with its share of call sites (the remainder over the first files), the shared types, the unrelated file.</summary>
    private static List<(string Path, string Text)> Spread(int callSites, int files, Func<int, int, string> file, string types)
    {
        var sources = new List<(string, string)>(files + 2);
        for (var index = 0; index < files; index++)
        {
            sources.Add(($"Feature{index:D4}.cs", file(index, callSites / files + (index < callSites % files ? 1 : 0))));
        }

        sources.Add(("Types.cs", types));
        sources.Add((SyntheticProject.UnrelatedPath, SyntheticProject.Unrelated(0)));
        return sources;
    }

    // Ten types, as the Infrar project has ten buckets.
    private static string Types(string prefix)
    {
        var text = new StringBuilder("namespace Synthetic;\n\n");
        for (var type = 0; type < 10; type++)
        {
            text.Append(CultureInfo.InvariantCulture, $"public sealed class {prefix}{type}\n{{\n    public string? Name {{ get; set; }}\n    public int Size {{ get; set; }}\n    public bool Enabled {{ get; set; }}\n}}\n\n");
        }

        return text.ToString();
    }

    // The calls alternate between Get<T> and Bind.
    private static string ConfigurationFile(int file, int calls)
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $$"""
            using Microsoft.Extensions.Configuration;

            namespace Synthetic;

            public sealed class Feature{{file:D4}}
            {
                public object? Run(IConfiguration configuration)
                {
                    object? last = null;

            """);
        for (var call = 0; call < calls; call++)
        {
            var type = $"Settings{(file + call) % 10}";
            if ((file + call) % 2 == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"        last = configuration.GetSection(\"section{call}\").Get<{type}>();\n");
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"        configuration.GetSection(\"section{call}\").Bind(new {type}());\n");
            }
        }

        text.Append("        return last;\n    }\n}\n");
        return text.ToString();
    }

    // One context per file, one [JsonSerializable] per call site.
    private static string JsonFile(int file, int calls)
    {
        var text = new StringBuilder("using System.Text.Json.Serialization;\n\nnamespace Synthetic;\n\n");
        for (var call = 0; call < calls; call++)
        {
            text.Append(CultureInfo.InvariantCulture, $"[JsonSerializable(typeof(Model{(file + call) % 10}), TypeInfoPropertyName = \"Model{call}\")]\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"internal sealed partial class Context{file:D4} : JsonSerializerContext;\n");
        return text.ToString();
    }

    /// <summary>The newest reference pack of that name in this .NET installation.</summary>
    private static string Pack(string name)
    {
        // .../shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll: the installation is three folders up.
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var packs = Path.Combine(root, "packs", name);
        return Directory.Exists(packs)
            ? Directory.GetDirectories(packs).OrderBy(d => Version.TryParse(Path.GetFileName(d).Split('-')[0], out var v) ? v : new Version()).Last()
            : throw new DirectoryNotFoundException($"The .NET installation at {root} has no {name} pack, which the generator anchors come from.");
    }

    private static IEnumerable<MetadataReference> PackReferences(string pack, params string[] assemblies)
    {
        var folder = Directory.GetDirectories(Path.Combine(Pack(pack), "ref")).Single();
        return assemblies.Select(a => MetadataReference.CreateFromFile(Path.Combine(folder, a + ".dll")));
    }

    private static IIncrementalGenerator PackGenerator(string pack, string assembly)
    {
        var loaded = Assembly.LoadFrom(Path.Combine(Pack(pack), "analyzers", "dotnet", "cs", assembly + ".dll"));
        var type = loaded.GetTypes().Single(t => typeof(IIncrementalGenerator).IsAssignableFrom(t) && !t.IsAbstract && t.IsDefined(typeof(GeneratorAttribute)));
        return (IIncrementalGenerator)Activator.CreateInstance(type)!;
    }
}
