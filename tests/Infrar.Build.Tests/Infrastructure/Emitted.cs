using Infrar.Build.Infrastructure;
using Infrar.Build.Manifest;
using Infrar.Generators.Catalog;
using Infrar.Testing;

namespace Infrar.Build.Tests.Infrastructure;

/// <summary>Runs the generator over source, reads the model back from the compiled assembly, and emits a provider's folder, as a build does.</summary>
internal static class Emitted
{
    public static (ProjectModel Model, Allowances Allowances) Model(params (string Path, string Text)[] sources)
    {
        var result = GeneratorHarness.Run("local", sources);
        var path = Path.Combine(Path.GetTempPath(), $"infrar-model-{Guid.NewGuid():N}.dll");
        try
        {
            Microsoft.CodeAnalysis.Emit.EmitResult emitted;
            using (var file = File.Create(path))
            {
                emitted = result.Compilation.Emit(file);
            }

            if (!emitted.Success)
            {
                throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
            }

            var (model, allowances) = AssemblyManifestReader.Read(path);
            return (model ?? throw new InvalidOperationException("no manifest in the assembly"), allowances);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static IReadOnlyList<Grant> Grants(string provider, ProjectModel model, InfrarCatalog? catalog = null) =>
        (catalog ?? EmbeddedCatalog.Value).Providers.TryGetValue(provider, out var binding) ? GrantPlanner.Plan(model, binding.Storage, binding.Queues) : [];

    public static IReadOnlyList<KeyValuePair<string, string>> Folder(string provider, ProjectModel model) =>
        InfrastructureEmitter.Emit(EmbeddedCatalog.Value.Infrastructure[provider], model, Grants(provider, model), ServiceSettings.For("photo-library"));

    /// <summary>Fails with terraform's diff unless <c>terraform fmt</c> would leave the provider's folder as written.</summary>
    public static async Task AssertFormattedAsync(string provider, ProjectModel model)
    {
        var folder = WriteFolder(provider, model);
        try
        {
            var fmt = await Terraform.RunAsync(folder, "fmt", "-check", "-diff", "-no-color");

            Xunit.Assert.True(fmt.ExitCode == 0, fmt.Output);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public static string WriteFolder(string provider, ProjectModel model)
    {
        var directory = Directory.CreateTempSubdirectory($"infrar-{provider}-").FullName;
        foreach (var (name, text) in Folder(provider, model))
        {
            File.WriteAllText(Path.Combine(directory, name), text);
        }

        return directory;
    }
}
