using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Infrar.Generators.Specs;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Infrar.Generators.Catalog;

/// <summary>Reads the catalog's YAML files into an <see cref="InfrarCatalog"/>, refusing anything incomplete.</summary>
internal static class CatalogLoader
{
    private static readonly Lazy<InfrarCatalog> Embedded = new(() => Load(ReadEmbeddedFiles()));

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>The catalog compiled into the generator.</summary>
    public static InfrarCatalog Default => Embedded.Value;

    /// <summary>Reads a catalog from its files' texts, keyed by path relative to <c>catalog/</c> (for example <c>providers/aws.yaml</c>).</summary>
    public static InfrarCatalog Load(IReadOnlyDictionary<string, string> files)
    {
        var capability = Parse<CapabilityFile>(files, "capabilities/storage.yaml");
        var operations = capability.Operations.ToDictionary(
            pair => pair.Key,
            pair => new OperationDefinition(pair.Key, Required(pair.Value.Access, "capabilities/storage.yaml", $"operations.{pair.Key}.access"), pair.Value.Summary ?? ""));

        var providers = new Dictionary<string, ProviderCatalog>();
        var infrastructure = new Dictionary<string, InfrastructureBinding>();
        foreach (var path in files.Keys
            .Where(p => p.StartsWith("providers/", StringComparison.Ordinal) || p.StartsWith("infrastructure/", StringComparison.Ordinal))
            .OrderBy(p => p, StringComparer.Ordinal))
        {
            var file = Parse<ProviderFile>(files, path);
            var id = Required(file.Provider, path, "provider");
            if (file.Storage is not null)
            {
                providers.Add(id, new ProviderCatalog(id, file.Name ?? id, ToBinding(file.Storage, operations, path)));
            }

            if (file.Infrastructure is { } infra)
            {
                infrastructure.Add(id, new InfrastructureBinding(infra.Files.ToList(), infra.Templates));
            }
        }

        return new InfrarCatalog(operations, providers, infrastructure, capability.KeyParameters.ToEquatableArray());
    }

    private static StorageBinding ToBinding(StorageSection storage, Dictionary<string, OperationDefinition> operations, string path)
    {
        var missing = operations.Keys.Where(id => !storage.Operations.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            throw new CatalogException($"{path}: storage.operations lacks {string.Join(", ", missing)}; every operation of capabilities/storage.yaml needs code on every provider.");
        }

        var unknown = storage.Operations.Keys.Where(id => !operations.ContainsKey(id)).ToList();
        if (unknown.Count > 0)
        {
            throw new CatalogException($"{path}: storage.operations has {string.Join(", ", unknown)}, which capabilities/storage.yaml does not define.");
        }

        var errors = storage.Errors ?? throw new CatalogException($"{path}: storage.errors is missing.");
        return new StorageBinding(
            Required(storage.Service, path, "storage.service"),
            storage.Packages.Select(p => new PackageSpec(Required(p.Id, path, "storage.packages[].id"), Required(p.Version, path, "storage.packages[].version"), p.Assembly)).ToEquatableArray(),
            Required(storage.SupportClass, path, "storage.support_class"),
            storage.Support ?? "",
            new ErrorMapping(
                Required(errors.Catch, path, "storage.errors.catch"),
                Required(errors.Code, path, "storage.errors.code"),
                Required(errors.Status, path, "storage.errors.status"),
                errors.Map.Select(r => new ErrorRule(r.Code, r.Status, r.When, Required(r.Exception, path, "storage.errors.map[].exception"))).ToEquatableArray()),
            storage.Operations.ToDictionary(
                pair => pair.Key,
                pair => new OperationTemplate(
                    pair.Key,
                    pair.Value.Permissions.ToEquatableArray(),
                    pair.Value.DestinationPermissions.ToEquatableArray(),
                    Required(pair.Value.Code, path, $"storage.operations.{pair.Key}.code"),
                    pair.Value.Async,
                    pair.Value.Wrap,
                    pair.Value.ErrorKey,
                    pair.Value.Limitations)),
            storage.BucketNaming.Select(r => new NamingRule(r.Must, r.MustNot, Required(r.Reason, path, "storage.bucket_naming[].reason"))).ToEquatableArray());
    }

    private static T Parse<T>(IReadOnlyDictionary<string, string> files, string path)
    {
        if (!files.TryGetValue(path, out var text))
        {
            throw new CatalogException($"catalog/{path} is missing.");
        }

        try
        {
            return Yaml.Deserialize<T>(text) ?? throw new CatalogException($"catalog/{path} is empty.");
        }
        catch (YamlException e)
        {
            throw new CatalogException($"catalog/{path}({e.Start.Line},{e.Start.Column}): {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    private static string Required(string? value, string path, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new CatalogException($"catalog/{path}: {field} is required.") : value!;

    private static Dictionary<string, string> ReadEmbeddedFiles()
    {
        var assembly = typeof(CatalogLoader).GetTypeInfo().Assembly;
        var files = new Dictionary<string, string>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("catalog/", StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            files.Add(name.Substring("catalog/".Length).Replace('\\', '/'), reader.ReadToEnd());
        }

        return files;
    }

#pragma warning disable CA1812 // Instantiated by YamlDotNet.
    private sealed class CapabilityFile
    {
        public string? Capability { get; set; }

        public Dictionary<string, OperationEntry> Operations { get; set; } = [];

        public List<string> KeyParameters { get; set; } = [];
    }

    private sealed class OperationEntry
    {
        public string? Access { get; set; }

        public string? Summary { get; set; }
    }

    private sealed class ProviderFile
    {
        public string? Provider { get; set; }

        public string? Name { get; set; }

        public StorageSection? Storage { get; set; }

        public InfrastructureSection? Infrastructure { get; set; }
    }

    private sealed class InfrastructureSection
    {
        public Dictionary<string, string> Files { get; set; } = [];

        public Dictionary<string, string> Templates { get; set; } = [];
    }

    private sealed class StorageSection
    {
        public string? Service { get; set; }

        public List<PackageEntry> Packages { get; set; } = [];

        public string? SupportClass { get; set; }

        public string? Support { get; set; }

        public ErrorsEntry? Errors { get; set; }

        public Dictionary<string, TemplateEntry> Operations { get; set; } = [];

        public List<NamingEntry> BucketNaming { get; set; } = [];
    }

    private sealed class NamingEntry
    {
        public string? Must { get; set; }

        public string? MustNot { get; set; }

        public string? Reason { get; set; }
    }

    private sealed class PackageEntry
    {
        public string? Id { get; set; }

        public string? Version { get; set; }

        public string? Assembly { get; set; }
    }

    private sealed class ErrorsEntry
    {
        public string? Catch { get; set; }

        public string? Code { get; set; }

        public string? Status { get; set; }

        public List<ErrorRuleEntry> Map { get; set; } = [];
    }

    private sealed class ErrorRuleEntry
    {
        public string? Code { get; set; }

        public int? Status { get; set; }

        public string? When { get; set; }

        public string? Exception { get; set; }
    }

    private sealed class TemplateEntry
    {
        public List<string> Permissions { get; set; } = [];

        public string? Code { get; set; }

        public bool Async { get; set; } = true;

        public bool Wrap { get; set; } = true;

        public string ErrorKey { get; set; } = "key";

        public string? Limitations { get; set; }

        public string? Notes { get; set; }

        public List<string> DestinationPermissions { get; set; } = [];
    }
#pragma warning restore CA1812
}
