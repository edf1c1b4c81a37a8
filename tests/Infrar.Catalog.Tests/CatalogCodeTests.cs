using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Infrar.Internal;
using Infrar.Testing;
using Xunit;

namespace Infrar.Catalog.Tests;

/// <summary>
/// The catalog's C# is compiled here, against Infrar.Sdk and each provider's real SDK, with warnings as errors: a
/// mistake in it fails this build at its own file and line. Each operation's method must have the signature of the
/// <c>Infrar.Bucket</c> or <c>Infrar.Queue</c> method it implements, since the generator puts its body where that method
/// was called.
/// </summary>
public sealed class CatalogCodeTests
{
    private static readonly Assembly Catalog = typeof(CatalogCodeTests).Assembly;

    public static TheoryData<string> Providers() => [.. ProviderFolders()];

    /// <summary>Each provider folder with queue code (a queues/ folder holding C#).</summary>
    public static TheoryData<string> QueueProviders() =>
        [.. ProviderFolders().Where(p => Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "catalog", "providers", p, "queues"), "*.cs").Any())];

    [Fact]
    public void Every_provider_folder_is_compiled_here()
    {
        var compiled = Catalog.GetTypes()
            .Where(t => t.Namespace?.StartsWith("Infrar.Catalog.", StringComparison.Ordinal) == true && t.Name == "Operations")
            .Select(t => t.Namespace!["Infrar.Catalog.".Length..].ToLowerInvariant())
            .Order();

        Assert.Equal(ProviderFolders().Order(), compiled);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_operation_is_implemented_with_the_signature_of_its_Bucket_method(string provider) =>
        AssertImplemented(provider, typeof(Bucket), "Operations");

    [Theory]
    [MemberData(nameof(QueueProviders))]
    public void Every_queue_operation_is_implemented_with_the_signature_of_its_Queue_method(string provider) =>
        AssertImplemented(provider, typeof(Queue), "QueueOperations");

    private static void AssertImplemented(string provider, Type sdkType, string operationsClass)
    {
        var implementations = OperationsOf(provider, operationsClass);
        var problems = new List<string>();
        foreach (var method in sdkType.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.GetCustomAttribute<InfrarOperationAttribute>()?.Id is not { } id)
            {
                continue;
            }

            if (!implementations.TryGetValue(id, out var implementation))
            {
                problems.Add($"{provider}: no method implements {id} ({method.Name})");
                continue;
            }

            problems.AddRange(Compare(provider, id, method, implementation, sdkType));
        }

        problems.AddRange(implementations.Keys
            .Where(id => !sdkType.GetMethods().Any(m => m.GetCustomAttribute<InfrarOperationAttribute>()?.Id == id))
            .Select(id => $"{provider}: {id} is no operation of {sdkType}"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static IEnumerable<string> Compare(string provider, string id, MethodInfo expected, MethodInfo actual, Type sdkType)
    {
        if (actual.Name != expected.Name)
        {
            yield return $"{provider}: {id} is {actual.Name}, not {expected.Name}";
        }

        if (actual.ReturnType.ToString() != expected.ReturnType.ToString() || actual.GetGenericArguments().Length != expected.GetGenericArguments().Length)
        {
            yield return $"{provider}: {id} returns {actual.ReturnType}, not {expected.ReturnType}";
        }

        var parameters = actual.GetParameters();
        if (parameters.Length == 0 || parameters[0].ParameterType != sdkType || !actual.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute)))
        {
            yield return $"{provider}: {id} must take 'this {sdkType} {sdkType.Name.ToLowerInvariant()}' first";
            yield break;
        }

        var want = expected.GetParameters().Select(Describe).ToList();
        var have = parameters.Skip(1).Select(Describe).ToList();
        if (!want.SequenceEqual(have))
        {
            yield return $"{provider}: {id} takes ({string.Join(", ", have)}), not ({string.Join(", ", want)})";
        }
    }

    private static string Describe(ParameterInfo parameter) =>
        $"{parameter.ParameterType} {parameter.Name}{(parameter.HasDefaultValue ? $" = {parameter.DefaultValue ?? "null"}" : "")}";

    private static Dictionary<string, MethodInfo> OperationsOf(string provider, string operationsClass)
    {
        var type = Catalog.GetTypes().Single(t => t.Namespace?.Equals("Infrar.Catalog." + provider, StringComparison.OrdinalIgnoreCase) == true && t.Name == operationsClass);
        return type.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.GetCustomAttribute<InfrarOperationAttribute>() is not null)
            .ToDictionary(m => m.GetCustomAttribute<InfrarOperationAttribute>()!.Id, m => m);
    }

    private static IEnumerable<string> ProviderFolders() =>
        Directory.EnumerateDirectories(Path.Combine(RepositoryRoot.Path, "catalog", "providers"))
            .Where(folder => Directory.Exists(Path.Combine(folder, "storage")))
            .Select(Path.GetFileName)
            .Select(name => name!);
}
