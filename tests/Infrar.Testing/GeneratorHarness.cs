using System.Collections.Immutable;
using System.Reflection;
using Infrar.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Infrar.Testing;

/// <summary>Compiles C# in memory with Infrar's generator, as <c>dotnet build -p:InfrarProvider=…</c> would.</summary>
public static class GeneratorHarness
{
    /// <summary>Every assembly this test process can load: the framework, the SDK and each provider's SDK.</summary>
    public static readonly ImmutableArray<MetadataReference> References = [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
        .Split(Path.PathSeparator)
        .Where(path => path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        .Select(path => MetadataReference.CreateFromFile(path))];

    /// <summary>Parse options with interceptors enabled for the generated namespace, as Infrar.Sdk.props sets them.</summary>
    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default
        .WithLanguageVersion(LanguageVersion.CSharp14)
        .WithFeatures([new("InterceptorsNamespaces", "Infrar.Generated")]);

    public static CSharpCompilation CreateCompilation(IEnumerable<(string Path, string Text)> sources, string assemblyName = "Subject") =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, ParseOptions, s.Path)),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, deterministic: true)
                // As the .NET SDK does: reference unification across framework versions is expected.
                .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

    public static CSharpGeneratorDriver CreateDriver(string provider, IIncrementalGenerator? generator = null, bool trackSteps = false, IReadOnlyDictionary<string, string>? properties = null) =>
        CSharpGeneratorDriver.Create(
            [(generator ?? new StorageGenerator()).AsSourceGenerator()],
            parseOptions: ParseOptions,
            optionsProvider: new ProviderOptions(provider, properties),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator for <paramref name="provider"/> and returns the compilation with its output.</summary>
    public static GeneratorResult Run(
        string provider,
        IEnumerable<(string Path, string Text)> sources,
        IIncrementalGenerator? generator = null,
        string assemblyName = "Subject",
        IEnumerable<MetadataReference>? extraReferences = null,
        IReadOnlyDictionary<string, string>? properties = null)
    {
        var compilation = CreateCompilation(sources, assemblyName).AddReferences(extraReferences ?? []);
        var driver = CreateDriver(provider, generator, properties: properties).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return new GeneratorResult(output, generatorDiagnostics, driver.GetRunResult());
    }

    /// <summary>A compilation's assembly as a reference for another, as a built DLL is.</summary>
    public static MetadataReference Image(Compilation compilation)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        if (!emitted.Success)
        {
            throw new InvalidOperationException($"{compilation.AssemblyName} does not compile:\n{string.Join("\n", emitted.Diagnostics)}");
        }

        return MetadataReference.CreateFromImage(image.ToArray());
    }

    /// <summary>Emits a compilation and loads it, failing with every diagnostic if it does not compile cleanly.</summary>
    /// <param name="compilation">What to emit.</param>
    /// <param name="privateSdk">
    /// Gives the loaded code its own copy of Infrar.Sdk, so that process-wide settings it makes (such as
    /// <c>CloudClients.UseHttpHandler</c>) reach no other test.
    /// </param>
    public static Assembly EmitAndLoad(Compilation compilation, bool privateSdk = false)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (!emitted.Success || problems.Count > 0)
        {
            throw new InvalidOperationException($"{compilation.AssemblyName} does not compile cleanly:\n{string.Join("\n", problems)}");
        }

        // Its own context, so that several compilations of one name can load; their dependencies (the SDK, the
        // provider SDKs, xunit) still resolve from the default context, so types and exceptions are shared.
        var context = new IsolatedContext($"{compilation.AssemblyName}-{Guid.NewGuid():N}", privateSdk);
        return context.LoadFromStream(new MemoryStream(image.ToArray()));
    }

    private sealed class IsolatedContext(string name, bool privateSdk) : System.Runtime.Loader.AssemblyLoadContext(name)
    {
        private static readonly string SdkPath = typeof(Bucket).Assembly.Location;

        protected override Assembly? Load(AssemblyName assemblyName) =>
            privateSdk && assemblyName.Name == "Infrar.Sdk" ? LoadFromAssemblyPath(SdkPath) : null;
    }
}

/// <summary>What a generator run produced.</summary>
public sealed record GeneratorResult(Compilation Compilation, ImmutableArray<Diagnostic> GeneratorDiagnostics, GeneratorDriverRunResult RunResult)
{
    /// <summary>The generated files by hint name.</summary>
    public IReadOnlyDictionary<string, string> GeneratedSources => RunResult.Results
        .SelectMany(r => r.GeneratedSources)
        .ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    /// <summary>Warnings and errors anywhere in the compilation, the generator's own included.</summary>
    public IReadOnlyList<Diagnostic> Problems => [.. GeneratorDiagnostics.Concat(Compilation.GetDiagnostics()).Where(d => d.Severity >= DiagnosticSeverity.Warning)];
}

/// <summary>Compiler options carrying <c>build_property.InfrarProvider</c> (and any other property), as MSBuild passes them to generators and analyzers.</summary>
public sealed class ProviderOptions(string provider, IReadOnlyDictionary<string, string>? properties = null) : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(new Dictionary<string, string>(properties ?? new Dictionary<string, string>()) { ["InfrarProvider"] = provider });

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

    private sealed class Options(IReadOnlyDictionary<string, string> properties) : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new(new Dictionary<string, string>());

        public override bool TryGetValue(string key, out string value)
        {
            value = "";
            return key.StartsWith("build_property.", StringComparison.Ordinal) && properties.TryGetValue(key["build_property.".Length..], out value!);
        }
    }
}
