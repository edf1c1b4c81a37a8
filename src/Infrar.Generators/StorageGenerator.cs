using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Infrar.Generators.Catalog;
using Infrar.Generators.Diagnostics;
using Infrar.Generators.Emit;
using Infrar.Generators.Parsing;
using Infrar.Generators.Specs;
using Microsoft.CodeAnalysis;

namespace Infrar.Generators;

/// <summary>
/// Rewrites every call on an Infrar bucket or queue into a direct call on the selected provider's SDK
/// (MSBuild property <c>InfrarProvider</c>). With <c>local</c>, the default, nothing is rewritten.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class StorageGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline's steps, for incremental-caching tests.</summary>
    public static class Steps
    {
        public const string Provider = nameof(Provider);
        public const string CallSites = nameof(CallSites);
        public const string CollectedCallSites = nameof(CollectedCallSites);
        public const string ReferencedAssemblies = nameof(ReferencedAssemblies);
        public const string Declarations = nameof(Declarations);
        public const string QueueDeclarations = nameof(QueueDeclarations);
        public const string ProjectDirectory = nameof(ProjectDirectory);
        public const string ReferencedBuilds = nameof(ReferencedBuilds);
        public const string MixedProviderReferences = nameof(MixedProviderReferences);
        public const string RecordsBuild = nameof(RecordsBuild);
    }

    private readonly InfrarCatalog? _catalog;

    /// <summary>Creates the generator over the catalog compiled into it.</summary>
    public StorageGenerator()
    {
    }

    /// <summary>Creates the generator over another catalog (tests).</summary>
    internal StorageGenerator(InfrarCatalog catalog) => _catalog = catalog;

    private InfrarCatalog Catalog => _catalog ?? EmbeddedCatalog.Value;

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var provider = context.AnalyzerConfigOptionsProvider
            .Select((options, _) => options.GlobalOptions.TryGetValue("build_property.InfrarProvider", out var value) && !string.IsNullOrWhiteSpace(value)
                ? value.Trim().ToLowerInvariant()
                : Catalog.DefaultProvider)
            .WithTrackingName(Steps.Provider);

        var calls = context.SyntaxProvider
            .CreateSyntaxProvider(CallSiteParser.IsCandidate, CallSiteParser.Parse)
            .Where(call => call is not null)
            .Select((call, _) => call!)
            .WithTrackingName(Steps.CallSites)
            .Collect()
            .Select((all, _) => all.ToEquatableArray())
            .WithTrackingName(Steps.CollectedCallSites);

        var declarations = context.SyntaxProvider
            .CreateSyntaxProvider(BucketDeclarationParser.IsCandidate, BucketDeclarationParser.Parse)
            .Where(declaration => declaration is not null)
            .Select((declaration, _) => declaration!)
            .Collect()
            .Select((all, _) => all.ToEquatableArray())
            .WithTrackingName(Steps.Declarations);

        var queueDeclarations = context.SyntaxProvider
            .CreateSyntaxProvider(QueueDeclarationParser.IsCandidate, QueueDeclarationParser.Parse)
            .Where(declaration => declaration is not null)
            .Select((declaration, _) => declaration!)
            .Collect()
            .Select((all, _) => all.ToEquatableArray())
            .WithTrackingName(Steps.QueueDeclarations);

        var projectDirectory = context.AnalyzerConfigOptionsProvider
            .Select((options, _) => options.GlobalOptions.TryGetValue("build_property.MSBuildProjectDirectory", out var value) ? value : null)
            .WithTrackingName(Steps.ProjectDirectory);

        // Assemblies this project may reference although they were built for another provider (InfrarMixedProviderReferences).
        var mixed = context.AnalyzerConfigOptionsProvider
            .Select((options, _) => (options.GlobalOptions.TryGetValue("build_property.InfrarMixedProviderReferences", out var value) ? value : "")
                .Split([';', ','], StringSplitOptions.RemoveEmptyEntries)
                .Select(n => n.Trim())
                .Where(n => n.Length > 0)
                .OrderBy(n => n, StringComparer.Ordinal)
                .ToEquatableArray())
            .WithTrackingName(Steps.MixedProviderReferences);

        // Every referenced assembly that Infrar's generator compiled says which provider it was built for.
        var referencedBuilds = context.CompilationProvider
            .Select((compilation, _) => compilation.SourceModule.ReferencedAssemblySymbols
                .SelectMany(assembly => assembly.GetAttributes()
                    .Where(a => InfrarTypes.IsSdkType(a.AttributeClass, "Infrar.Internal", "InfrarBuildAttribute") && a.ConstructorArguments.Length == 2)
                    .Select(a => new ReferencedBuildSpec(assembly.Name, a.ConstructorArguments[0].Value as string ?? "", a.ConstructorArguments[1].Value is int calls ? calls : 0)))
                .OrderBy(b => b.Assembly, StringComparer.Ordinal)
                .ToEquatableArray())
            .WithTrackingName(Steps.ReferencedBuilds);

        // Whether the SDK can carry the record of this build: it is the one the local store reads at run time.
        var recordsBuild = context.CompilationProvider
            .Select((compilation, _) => compilation.GetTypeByMetadataName("Infrar.Internal.InfrarBuildAttribute") is { } attribute
                && InfrarTypes.IsSdkType(attribute, "Infrar.Internal", "InfrarBuildAttribute"))
            .WithTrackingName(Steps.RecordsBuild);

        var packageAssemblies = new HashSet<string>(Catalog.Clouds
            .SelectMany(p => p.Storage!.Packages.Concat(p.Queues?.Packages ?? EquatableArray<PackageSpec>.Empty))
            .Select(p => p.Assembly)
            .OfType<string>());
        var referenced = context.CompilationProvider
            .Select((compilation, _) => compilation.ReferencedAssemblyNames
                .Select(a => a.Name)
                .Where(packageAssemblies.Contains)
                .OrderBy(n => n, StringComparer.Ordinal)
                .ToEquatableArray())
            .WithTrackingName(Steps.ReferencedAssemblies);

        context.RegisterSourceOutput(provider.Combine(calls).Combine(referenced), (output, input) =>
        {
            var ((providerId, callSites), assemblies) = input;
            Emit(output, providerId, callSites, assemblies);
        });

        context.RegisterSourceOutput(calls.Combine(declarations.Combine(queueDeclarations)).Combine(projectDirectory).Combine(provider.Combine(recordsBuild)), (output, input) =>
        {
            var (((callSites, (buckets, queues)), directory), (providerId, records)) = input;
            EmitManifest(output, callSites, buckets, queues, directory, records ? providerId : null, providerId == Catalog.DefaultProvider);
        });

        context.RegisterSourceOutput(provider.Combine(referencedBuilds).Combine(mixed), (output, input) =>
        {
            var ((providerId, builds), allowed) = input;
            foreach (var build in builds.Where(b => b.Calls > 0 && b.Provider != providerId && !allowed.Items.Contains(b.Assembly)))
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ReferenceBuiltForAnotherProvider, Location.None, build.Assembly, build.Calls, build.Provider, providerId));
            }
        });
    }

    private static void EmitManifest(
        SourceProductionContext output,
        EquatableArray<CallSiteSpec> allCallSites,
        EquatableArray<BucketDeclarationSpec> allBuckets,
        EquatableArray<QueueDeclarationSpec> allQueues,
        string? projectDirectory,
        string? provider,
        bool local)
    {
        foreach (var failed in allCallSites.Where(c => c.Failure is not null))
        {
            output.ReportDiagnostic(GeneratorFailure(failed.Location.FilePath, failed.Location.SpanStart, failed.Location.SpanLength, failed.Location.Line, failed.Location.Column, $"call of {failed.Method.Name}", failed.Failure!, local));
        }

        foreach (var failed in allBuckets.Where(d => d.Failure is not null))
        {
            output.ReportDiagnostic(GeneratorFailure(failed.FilePath, 0, 0, failed.Line, 1, "bucket declaration", failed.Failure!, local));
        }

        foreach (var failed in allQueues.Where(d => d.Failure is not null))
        {
            output.ReportDiagnostic(GeneratorFailure(failed.FilePath, 0, 0, failed.Line, 1, "queue declaration", failed.Failure!, local));
        }

        var callSites = allCallSites.Where(c => c.Failure is null).ToEquatableArray();
        var buckets = allBuckets.Where(d => d.Failure is null).ToEquatableArray();
        var queues = allQueues.Where(d => d.Failure is null).ToEquatableArray();

        // A field or property declared with two different resources (one per constructor) names neither for certain.
        var bySymbol = buckets.Select(d => (d.Symbol, d.Name))
            .Concat(queues.Select(d => (d.Symbol, d.Name)))
            .Where(d => d.Symbol is not null)
            .GroupBy(d => d.Symbol!)
            .Where(g => g.Select(d => d.Name).Distinct().Count() == 1)
            .ToDictionary(g => g.Key, g => g.First().Name);
        string? Resolve(ResourceReference? reference) =>
            reference?.Name ?? (reference?.Symbol is { } symbol && bySymbol.TryGetValue(symbol, out var name) ? name : null);

        var resolved = callSites.Select(c => new ResolvedCall(c, Resolve(c.Resource), Resolve(c.Destination))).ToList();
        foreach (var call in resolved.Where(c => c.Resource is null || (c.Call.Destination is not null && c.Destination is null)))
        {
            var location = call.Call.Location;
            var queue = call.Call.Capability == InfrarCatalog.QueuesCapability;
            var start = new Microsoft.CodeAnalysis.Text.LinePosition(location.Line - 1, location.Column - 1);
            output.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.UntracedBucket,
                Location.Create(location.FilePath, new Microsoft.CodeAnalysis.Text.TextSpan(location.SpanStart, location.SpanLength), new Microsoft.CodeAnalysis.Text.LinePositionSpan(start, new Microsoft.CodeAnalysis.Text.LinePosition(start.Line, start.Character + location.SpanLength))),
                call.Call.Method.Name,
                queue ? "queue" : "bucket",
                queue ? "Queues.Queue(\"name\")" : "Storage.Bucket(\"name\")"));
        }

        output.AddSource(ManifestEmitter.HintName, ManifestEmitter.Emit(buckets.Items, queues.Items, resolved, projectDirectory, provider));
    }

    private static Diagnostic GeneratorFailure(string path, int start, int length, int line, int column, string what, string failure, bool local)
    {
        var position = new Microsoft.CodeAnalysis.Text.LinePosition(line - 1, column - 1);
        var location = Location.Create(path, new Microsoft.CodeAnalysis.Text.TextSpan(start, length), new Microsoft.CodeAnalysis.Text.LinePositionSpan(position, position));
        // In a cloud build an unread call would run the local store in the cloud: the build must fail.
        return Diagnostic.Create(DiagnosticDescriptors.GeneratorFailed, location, local ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, null, null, what, failure);
    }

    private void Emit(SourceProductionContext output, string providerId, EquatableArray<CallSiteSpec> callSites, EquatableArray<string> assemblies)
    {
        if (!Catalog.Providers.TryGetValue(providerId, out var provider))
        {
            var valid = string.Join(", ", new[] { Catalog.DefaultProvider }.Concat(Catalog.Clouds.Select(p => p.Id)));
            output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnknownProvider, Location.None, providerId, valid));
            return;
        }

        // The default provider's calls run the SDK's own code: there is nothing to rewrite.
        foreach (var binding in new[] { provider.Storage, provider.Queues })
        {
            if (binding is not { Operations.Count: > 0 })
            {
                continue;
            }

            var rewritable = callSites.Where(c => c.Failure is null && c.Capability == binding.Capability && binding.Operations.ContainsKey(c.OperationId)).ToList();
            if (rewritable.Count == 0)
            {
                continue;
            }

            var missing = binding.Packages.FirstOrDefault(p => p.Assembly is not null && !assemblies.Items.Contains(p.Assembly));
            if (missing is not null)
            {
                output.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingProviderPackage, Location.None, provider.Id, binding.Service, missing.Id, missing.Version));
                continue;
            }

            var keyParameters = Catalog.Capabilities[binding.Capability].KeyParameters.Items;
            output.AddSource(InterceptorEmitter.HintName(provider, binding), InterceptorEmitter.Emit(provider, binding, rewritable, keyParameters));
        }
    }
}
