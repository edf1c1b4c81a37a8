using System.Reflection;
using Infrar.Generators.Specs;
using Infrar.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Infrar.Generators.Tests;

/// <summary>The generator does no work again for edits that do not concern it, and its models hold no Roslyn objects.</summary>
public sealed class IncrementalTests
{
    private static readonly string[] TrackedSteps =
    [
        StorageGenerator.Steps.Provider,
        StorageGenerator.Steps.CallSites,
        StorageGenerator.Steps.CollectedCallSites,
        StorageGenerator.Steps.ReferencedAssemblies,
        StorageGenerator.Steps.Declarations,
        StorageGenerator.Steps.ProjectDirectory,
    ];

    [Fact]
    public void An_unrelated_edit_leaves_every_step_cached_or_unchanged()
    {
        var (driver, compilation) = FirstRun();
        var edited = ReplaceTree(compilation, "Unrelated.cs", Sources.Unrelated.Replace("x * 2", "x + x", StringComparison.Ordinal));

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (var step in TrackedSteps)
        {
            Assert.All(
                result.TrackedSteps[step].SelectMany(s => s.Outputs),
                output => Assert.True(
                    output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    $"step {step} was {output.Reason} after an unrelated edit"));
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), output =>
            Assert.True(output.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
    }

    [Fact]
    public void Editing_a_call_modifies_its_call_site_and_the_output()
    {
        var (driver, compilation) = FirstRun();
        var edited = ReplaceTree(compilation, "PhotoLibrary.cs", Sources.EveryOperation.Replace("\"b.jpg\", ct);", "\"renamed.jpg\", ct);", StringComparison.Ordinal));

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Contains(result.TrackedSteps[StorageGenerator.Steps.CallSites].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.TrackedSteps[StorageGenerator.Steps.CollectedCallSites].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
    }

    [Fact]
    public void Pipeline_models_hold_no_roslyn_objects()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(SemanticModel), typeof(Compilation), typeof(Location), typeof(SyntaxTree) };
        var models = typeof(StorageGenerator).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(CallSiteSpec).Namespace && !t.IsGenericTypeDefinition && !t.IsAbstract)
            .ToList();
        Assert.Contains(typeof(CallSiteSpec), models);

        foreach (var model in models)
        {
            foreach (var type in ReachableTypes(model))
            {
                Assert.False(forbidden.Any(f => f.IsAssignableFrom(type)), $"{model.Name} holds a {type.Name}, which would keep a compilation alive and defeat caching");
            }
        }
    }

    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.CreateCompilation([("PhotoLibrary.cs", Sources.EveryOperation), ("Unrelated.cs", Sources.Unrelated)]);
        var driver = GeneratorHarness.CreateDriver("aws", trackSteps: true).RunGenerators(compilation);
        Assert.Equal(2, driver.GetRunResult().GeneratedTrees.Length);
        return (driver, compilation);
    }

    private static Compilation ReplaceTree(Compilation compilation, string path, string text)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(text, GeneratorHarness.ParseOptions, path));
    }

    private static IEnumerable<Type> ReachableTypes(Type root)
    {
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>([root]);
        while (pending.Count > 0)
        {
            var type = pending.Pop();
            if (!seen.Add(type) || type.IsPrimitive || type == typeof(string))
            {
                continue;
            }

            yield return type;
            foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : [])
            {
                pending.Push(argument);
            }

            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                pending.Push(field.FieldType.IsArray ? field.FieldType.GetElementType()! : field.FieldType);
            }
        }
    }
}
