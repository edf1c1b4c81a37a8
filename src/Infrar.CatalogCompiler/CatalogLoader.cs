using System;
using System.Collections.Generic;
using System.Linq;
using Infrar.Generators.Catalog;
using Infrar.Generators.Specs;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Infrar.CatalogCompiler;

/// <summary>
/// Reads the catalog into an <see cref="InfrarCatalog"/>, refusing anything incomplete. Each provider is a folder,
/// <c>providers/&lt;id&gt;/</c>: <c>provider.yaml</c>; per capability a folder with its data file and its C# (read by
/// <see cref="CapabilityCodeReader"/>); and <c>infrastructure/</c>, the OpenTofu templates as <c>.tf</c> files.
/// </summary>
internal static class CatalogLoader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>
    /// Reads a catalog from its files' texts, keyed by path relative to <c>catalog/</c> (for example
    /// <c>providers/aws/storage/storage.yaml</c>).
    /// </summary>
    public static InfrarCatalog Load(IReadOnlyDictionary<string, string> files)
    {
        var capabilities = new Dictionary<string, CapabilityDefinition>();
        foreach (var path in files.Keys.Where(p => p.StartsWith("capabilities/", StringComparison.Ordinal) && p.EndsWith(".yaml", StringComparison.Ordinal)).OrderBy(p => p, StringComparer.Ordinal))
        {
            var file = Parse<CapabilityFile>(files, path);
            var id = Required(file.Capability, path, "capability");
            if (path != $"capabilities/{id}.yaml")
            {
                throw new CatalogException($"catalog/{path}: capability is '{id}', but the file is named otherwise; they must agree.");
            }

            capabilities.Add(id, new CapabilityDefinition(
                id,
                file.Operations.ToDictionary(
                    pair => pair.Key,
                    pair => new OperationDefinition(pair.Key, Required(pair.Value.Access, path, $"operations.{pair.Key}.access"), pair.Value.Summary ?? "")),
                file.KeyParameters.ToEquatableArray()));
        }

        if (!capabilities.TryGetValue(InfrarCatalog.StorageCapability, out var storageCapability))
        {
            throw new CatalogException("catalog/capabilities/storage.yaml is missing.");
        }

        if (!capabilities.TryGetValue(InfrarCatalog.QueuesCapability, out var queuesCapability))
        {
            throw new CatalogException("catalog/capabilities/queues.yaml is missing.");
        }

        var unknown = capabilities.Keys.Where(id => id is not InfrarCatalog.StorageCapability and not InfrarCatalog.QueuesCapability).ToList();
        if (unknown.Count > 0)
        {
            throw new CatalogException($"catalog/capabilities/{unknown[0]}.yaml: Infrar's SDK and generator have no {unknown[0]} yet; only storage and queues are read.");
        }

        var shared = storageCapability.Operations.Keys.Intersect(queuesCapability.Operations.Keys).ToList();
        if (shared.Count > 0)
        {
            throw new CatalogException($"catalog/capabilities/queues.yaml: operation {shared[0]} is also a storage operation; operation ids are unique across capabilities.");
        }

        var providers = new Dictionary<string, ProviderCatalog>();
        var infrastructure = new Dictionary<string, InfrastructureBinding>();
        foreach (var path in files.Keys.Where(IsProviderFile).OrderBy(p => p, StringComparer.Ordinal))
        {
            var folder = path.Substring(0, path.Length - "provider.yaml".Length);
            var file = Parse<ProviderFile>(files, path);
            var id = Required(file.Provider, path, "provider");
            if (folder != $"providers/{id}/")
            {
                throw new CatalogException($"catalog/{path}: provider is '{id}', but the folder is {folder}; they must agree.");
            }

            var storagePath = folder + "storage/storage.yaml";
            var storage = files.ContainsKey(storagePath)
                ? ToBinding(storageCapability, Parse<BindingFile>(files, storagePath), CapabilityCodeReader.Read(FilesIn(files, folder + "storage/", ".cs")), storagePath)
                : null;
            if (storage is null && !file.Default)
            {
                throw new CatalogException($"catalog/{folder}: no storage/storage.yaml; every provider but the default implements storage.");
            }

            var queuesPath = folder + "queues/queues.yaml";
            var queues = files.ContainsKey(queuesPath)
                ? ToBinding(queuesCapability, Parse<BindingFile>(files, queuesPath), CapabilityCodeReader.Read(FilesIn(files, folder + "queues/", ".cs")), queuesPath)
                : null;
            if (queues is null && !file.Default)
            {
                throw new CatalogException($"catalog/{folder}: no queues/queues.yaml; every provider but the default implements queues.");
            }

            providers.Add(id, new ProviderCatalog(id, file.Name ?? id, storage, ToState(files, folder, file.State, path), file.FolderVariable, file.DefaultRegion, queues, ToHosting(file.Hosting, path)));

            var infrastructurePath = folder + "infrastructure/infrastructure.yaml";
            if (!files.ContainsKey(infrastructurePath))
            {
                throw new CatalogException($"catalog/{folder}: no infrastructure/infrastructure.yaml; every provider has its OpenTofu templates.");
            }

            infrastructure.Add(id, ToInfrastructure(files, folder + "infrastructure/", Parse<InfrastructureFile>(files, infrastructurePath), infrastructurePath));
        }

        var defaults = files.Keys.Where(IsProviderFile).Where(p => Parse<ProviderFile>(files, p).Default).ToList();
        if (defaults.Count != 1)
        {
            throw new CatalogException($"catalog/providers: exactly one provider.yaml says default: true (the provider of a build that names none); {defaults.Count} do.");
        }

        return new InfrarCatalog(capabilities, providers, infrastructure, Parse<ProviderFile>(files, defaults[0]).Provider!);
    }

    private static HostingBinding ToHosting(HostingEntry? hosting, string path)
    {
        if (hosting?.RegistryLogin is not { } login)
        {
            return new HostingBinding(hosting?.UrlOutput, null);
        }

        var named = (login.Username is null ? 0 : 1) + (login.UsernameCredential is null ? 0 : 1);
        if (login.Token is null ? named != 1 || login.PasswordCredential is null : named != 0 || login.PasswordCredential is not null)
        {
            throw new CatalogException(
                $"catalog/{path}: hosting.registry_login takes either token, or a password_credential with one of username and username_credential.");
        }

        return new HostingBinding(hosting.UrlOutput, new RegistryLogin(login.Username, login.UsernameCredential, login.PasswordCredential, login.Token));
    }

    private static StateBinding ToState(IReadOnlyDictionary<string, string> files, string folder, StateEntry? state, string path)
    {
        if (state is null)
        {
            throw new CatalogException($"catalog/{path}: state is required: where OpenTofu keeps an environment's state.");
        }

        if (!files.TryGetValue(folder + "state/backend.tf", out var template))
        {
            throw new CatalogException($"catalog/{folder}: no state/backend.tf, the backend file written into every run.");
        }

        return new StateBinding(
            Required(state.Backend, path, "state.backend"),
            state.Settings.Select(s => new StateSetting(Required(s.Name, path, "state.settings[].name"), s.Required)).ToEquatableArray(),
            state.KeptByService,
            template);
    }

    private static bool IsProviderFile(string path) =>
        path.StartsWith("providers/", StringComparison.Ordinal) && path.EndsWith("/provider.yaml", StringComparison.Ordinal) && path.Count(c => c == '/') == 2;

    /// <summary>The files directly in <paramref name="folder"/> with <paramref name="extension"/>, in name order.</summary>
    private static List<KeyValuePair<string, string>> FilesIn(IReadOnlyDictionary<string, string> files, string folder, string extension) =>
        [.. files
            .Where(f => f.Key.StartsWith(folder, StringComparison.Ordinal) && f.Key.IndexOf('/', folder.Length) < 0 && f.Key.EndsWith(extension, StringComparison.Ordinal))
            .OrderBy(f => f.Key, StringComparer.Ordinal)];

    private static InfrastructureBinding ToInfrastructure(IReadOnlyDictionary<string, string> files, string folder, InfrastructureFile data, string path)
    {
        var written = new List<KeyValuePair<string, string>>();
        foreach (var name in data.Files)
        {
            if (!files.TryGetValue(folder + name, out var text))
            {
                throw new CatalogException($"catalog/{path}: files names {name}, but there is no catalog/{folder}{name}.");
            }

            written.Add(new KeyValuePair<string, string>(name, text));
        }

        var templates = FilesIn(files, folder + "templates/", ".tf").ToDictionary(
            f => f.Key.Substring(folder.Length + "templates/".Length, f.Key.Length - folder.Length - "templates/".Length - ".tf".Length),
            f => f.Value);
        return new InfrastructureBinding(written, templates);
    }

    private static CapabilityBinding ToBinding(CapabilityDefinition capability, BindingFile binding, CapabilityCode code, string path)
    {
        var operations = capability.Operations;
        var definition = $"capabilities/{capability.Id}.yaml";
        var missing = operations.Keys.Where(id => !binding.Operations.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            throw new CatalogException($"{path}: operations lacks {string.Join(", ", missing)}; every operation of {definition} needs its permissions on every provider.");
        }

        var unknown = binding.Operations.Keys.Where(id => !operations.ContainsKey(id)).ToList();
        if (unknown.Count > 0)
        {
            throw new CatalogException($"{path}: operations has {string.Join(", ", unknown)}, which {definition} does not define.");
        }

        var folder = path.Substring(0, path.LastIndexOf('/') + 1);
        var uncoded = operations.Keys.Where(id => !code.Operations.ContainsKey(id)).ToList();
        if (uncoded.Count > 0)
        {
            throw new CatalogException($"catalog/{folder}: no method implements {string.Join(", ", uncoded)}; every operation of {definition} needs an [InfrarOperation] method on every provider.");
        }

        var extra = code.Operations.Keys.Where(id => !operations.ContainsKey(id)).ToList();
        if (extra.Count > 0)
        {
            throw new CatalogException($"catalog/{folder}: [InfrarOperation] names {string.Join(", ", extra)}, which {definition} does not define.");
        }

        var (namingField, naming) = capability.Id == InfrarCatalog.StorageCapability
            ? ("bucket_naming", binding.BucketNaming)
            : ("queue_naming", binding.QueueNaming);
        var rules = ToNaming(naming, path, namingField);
        if (rules.Count == 0)
        {
            throw new CatalogException($"catalog/{path}: {namingField} is empty; say which names the provider accepts.");
        }

        return new CapabilityBinding(
            capability.Id,
            Required(binding.Service, path, "service"),
            binding.Packages.Select(p => new PackageSpec(Required(p.Id, path, "packages[].id"), Required(p.Version, path, "packages[].version"), p.Assembly)).ToEquatableArray(),
            code.SupportClass,
            code.Support,
            code.ErrorType,
            binding.Operations.ToDictionary(
                pair => pair.Key,
                pair => new OperationTemplate(
                    pair.Key,
                    pair.Value.Permissions.ToEquatableArray(),
                    pair.Value.DestinationPermissions.ToEquatableArray(),
                    code.Operations[pair.Key].Body,
                    code.Operations[pair.Key].Async,
                    !code.Operations[pair.Key].Iterator,
                    pair.Value.ErrorKey ?? (capability.KeyParameters.Count > 0 ? capability.KeyParameters[0] : null),
                    pair.Value.Limitations)),
            rules,
            binding.SdkNamespaces.ToEquatableArray());
    }

    private static EquatableArray<NamingRule> ToNaming(List<NamingEntry> rules, string path, string field) =>
        rules.Select(r => new NamingRule(
            Pattern(r.Must, path, $"{field}[].must"),
            Pattern(r.MustNot, path, $"{field}[].must_not"),
            Required(r.Reason, path, $"{field}[].reason"),
            r.Fix.Select(f => new NamingFix(Pattern(Required(f.Replace, path, $"{field}[].fix[].replace"), path, $"{field}[].fix[].replace")!, f.With ?? "")).ToEquatableArray())).ToEquatableArray();

    /// <summary>A regular expression as the analyzers will run it; one that does not parse is refused here, naming the file.</summary>
    private static string? Pattern(string? pattern, string path, string field)
    {
        if (pattern is null)
        {
            return null;
        }

        try
        {
            _ = new System.Text.RegularExpressions.Regex(pattern);
            return pattern;
        }
        catch (ArgumentException e)
        {
            throw new CatalogException($"catalog/{path}: {field} '{pattern}' is not a regular expression: {e.Message}");
        }
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

        public bool Default { get; set; }

        public string? DefaultRegion { get; set; }

        public string? FolderVariable { get; set; }

        public StateEntry? State { get; set; }

        public HostingEntry? Hosting { get; set; }
    }

    private sealed class HostingEntry
    {
        public string? UrlOutput { get; set; }

        public RegistryLoginEntry? RegistryLogin { get; set; }
    }

    private sealed class RegistryLoginEntry
    {
        public string? Username { get; set; }

        public string? UsernameCredential { get; set; }

        public string? PasswordCredential { get; set; }

        public string? Token { get; set; }
    }

    private sealed class StateEntry
    {
        public string? Backend { get; set; }

        public bool KeptByService { get; set; }

        public List<StateSettingEntry> Settings { get; set; } = [];
    }

    private sealed class StateSettingEntry
    {
        public string? Name { get; set; }

        public bool Required { get; set; }
    }

    private sealed class InfrastructureFile
    {
        public List<string> Files { get; set; } = [];
    }

    /// <summary>A provider's capability file: <c>storage/storage.yaml</c>, <c>queues/queues.yaml</c>.</summary>
    private sealed class BindingFile
    {
        public string? Service { get; set; }

        public List<PackageEntry> Packages { get; set; } = [];

        public Dictionary<string, OperationEntryData> Operations { get; set; } = [];

        public List<NamingEntry> BucketNaming { get; set; } = [];

        public List<NamingEntry> QueueNaming { get; set; } = [];

        public List<string> SdkNamespaces { get; set; } = [];
    }

    private sealed class NamingEntry
    {
        public string? Must { get; set; }

        public string? MustNot { get; set; }

        public string? Reason { get; set; }

        public List<FixEntry> Fix { get; set; } = [];
    }

    private sealed class FixEntry
    {
        public string? Replace { get; set; }

        public string? With { get; set; }
    }

    private sealed class PackageEntry
    {
        public string? Id { get; set; }

        public string? Version { get; set; }

        public string? Assembly { get; set; }
    }

    private sealed class OperationEntryData
    {
        public List<string> Permissions { get; set; } = [];

        public List<string> DestinationPermissions { get; set; } = [];

        public string? ErrorKey { get; set; }

        public string? Limitations { get; set; }

        public string? Notes { get; set; }
    }
#pragma warning restore CA1812
}
