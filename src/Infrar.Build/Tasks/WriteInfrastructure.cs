using Infrar.Build.Infrastructure;
using Infrar.Build.Manifest;
using Infrar.Generators.Catalog;
using Infrar.Generators.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Infrar.Build.Tasks;

/// <summary>
/// After compile: reads what the generator recorded in the assembly, checks the guardrails and the permission baseline,
/// and writes <c>infrar.manifest.json</c> and the provider's OpenTofu folder, touching only files whose text changed.
/// </summary>
public sealed class WriteInfrastructure : Microsoft.Build.Utilities.Task
{
    /// <summary>The marker Infrar leaves in a folder it wrote, naming its files, so it may later remove what it wrote and nothing else.</summary>
    public const string Marker = ".infrar-generated";

    [Required]
    public string AssemblyPath { get; set; } = "";

    [Required]
    public string Provider { get; set; } = "";

    [Required]
    public string ProjectName { get; set; } = "";

    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary>The folder holding one subfolder per provider, cleaned of other providers' folders.</summary>
    [Required]
    public string InfrastructureRoot { get; set; } = "";

    /// <summary>Where this provider's OpenTofu goes.</summary>
    [Required]
    public string InfrastructurePath { get; set; } = "";

    [Required]
    public string ManifestPath { get; set; } = "";

    public string AppName { get; set; } = "";

    public int AppPort { get; set; } = 8080;

    public string AppCpu { get; set; } = "0.25";

    public int AppMemoryMiB { get; set; } = 512;

    public int AppMinInstances { get; set; }

    public string PermissionBaseline { get; set; } = "";

    /// <summary>Assemblies of referenced projects; the calls their code makes are part of this app's infrastructure.</summary>
    public ITaskItem[] ProjectReferences { get; set; } = [];

    public bool UpdatePermissionBaseline { get; set; }

    [Output]
    public ITaskItem[] WrittenFiles { get; set; } = [];

    public override bool Execute()
    {
        try
        {
            return Run();
        }
        catch (Exception e) when (e is CatalogException or InvalidDataException or IOException)
        {
            Error(InfrarCodes.InfrastructureNotWritten, null, 0, e.Message);
            return false;
        }
    }

    private bool Run()
    {
        Provider = Provider.Trim().ToLowerInvariant();
        var (model, allowances) = AssemblyManifestReader.Read(AssemblyPath);
        model = IncludeReferences(model);
        if (model is null)
        {
            const string why = "holds no Infrar manifest: the Infrar generator did not run, so no infrastructure was written";
            if (EmbeddedCatalog.Value.Providers.TryGetValue(Provider, out var cloud) && cloud.Storage is not null)
            {
                // Without the generator nothing was rewritten: on a cloud every call would run the local store.
                Error(InfrarCodes.NoManifest, null, 0, $"{AssemblyPath} {why}, and no call was rewritten for {Provider}.");
                return false;
            }

            Log.LogWarning(null, InfrarCodes.NoManifest, null, InfrarCodes.HelpLink(InfrarCodes.NoManifest), null, 0, 0, 0, 0, $"{AssemblyPath} {why}.");
            return true;
        }

        if (Log.HasLoggedErrors)
        {
            return false;
        }

        var catalog = EmbeddedCatalog.Value;
        if (!catalog.Infrastructure.TryGetValue(Provider, out var infrastructure))
        {
            Error(InfrarCodes.UnknownProvider, null, 0, $"InfrarProvider '{Provider}' has no infrastructure templates in the catalog.");
            return false;
        }

        catalog.Providers.TryGetValue(Provider, out var provider);
        var grants = GrantPlanner.Plan(model, provider?.Storage, provider?.Queues);

        foreach (var violation in Guardrails.Check(model, grants, allowances))
        {
            LogAtSite(violation.Code, violation.Site, violation.Message);
        }

        if (!Log.HasLoggedErrors)
        {
            CheckBaseline(grants);
        }

        if (Log.HasLoggedErrors)
        {
            return false;
        }

        var service = ServiceSettings.For(
            string.IsNullOrWhiteSpace(AppName) ? ProjectName : AppName,
            AppPort,
            decimal.Parse(AppCpu, System.Globalization.CultureInfo.InvariantCulture),
            AppMemoryMiB,
            AppMinInstances);
        var written = new List<ITaskItem>();
        var manifest = InfrarManifest.Create(ProjectName, Provider, service, model, catalog);
        if (FileWriter.WriteIfChanged(ManifestPath, manifest.ToJson()))
        {
            written.Add(new TaskItem(ManifestPath));
        }

        var files = InfrastructureEmitter.Emit(infrastructure, model, grants, service);
        written.AddRange(WriteFolder(files).Select(path => new TaskItem(path)));
        RemoveOtherProviders();
        WrittenFiles = [.. written];
        Log.LogMessage(MessageImportance.High, $"Infrar: {Provider} infrastructure in {InfrastructurePath} ({Count(files.Count, "file")}, {Count(grants.Count, "permission")} granted), manifest {ManifestPath}");
        return true;
    }

    /// <summary>Adds the buckets and calls recorded in referenced projects, their call sites prefixed with the project's assembly name.</summary>
    private ProjectModel? IncludeReferences(ProjectModel? model)
    {
        foreach (var reference in ProjectReferences)
        {
            if (!File.Exists(reference.ItemSpec) || AssemblyManifestReader.Read(reference.ItemSpec).Model is not { } library)
            {
                continue;
            }

            var prefix = Path.GetFileNameWithoutExtension(reference.ItemSpec) + "/";
            model ??= new ProjectModel(library.Version, [], []);
            foreach (var queue in library.Queues)
            {
                if (model.Queues.FirstOrDefault(m => m.Name == queue.Name) is { } mine && mine with { DeclaredAt = "" } != queue with { DeclaredAt = "" })
                {
                    LogAtSite(
                        InfrarCodes.ConflictingDeclaration,
                        mine.DeclaredAt,
                        $"Queue '{queue.Name}' is declared here and at {prefix}{queue.DeclaredAt} with different options (visibility timeout, delivery limit, retention); a queue has one set of options: declare it once, or alike.");
                }
            }

            foreach (var bucket in library.Buckets)
            {
                if (model.Buckets.FirstOrDefault(m => m.Name == bucket.Name) is { } mine && !SameOptions(mine, bucket))
                {
                    LogAtSite(
                        InfrarCodes.ConflictingDeclaration,
                        mine.DeclaredAt,
                        $"Bucket '{bucket.Name}' is declared here and at {prefix}{bucket.DeclaredAt} with different options (versioning, expiry, CORS, public); a bucket has one set of options: declare it once, or alike.");
                }
            }

            model = model with
            {
                Buckets = [.. model.Buckets, .. library.Buckets.Where(b => model.Buckets.All(m => m.Name != b.Name)).Select(b => b with { DeclaredAt = prefix + b.DeclaredAt })],
                Queues = [.. model.Queues, .. library.Queues.Where(q => model.Queues.All(m => m.Name != q.Name)).Select(q => q with { DeclaredAt = prefix + q.DeclaredAt })],
                Calls = [.. model.Calls, .. library.Calls.Select(c => c with { At = prefix + c.At })],
            };
        }

        return model;
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static bool SameOptions(BucketModel a, BucketModel b) =>
        a.Versioning == b.Versioning && a.ExpireAfterDays == b.ExpireAfterDays && a.Public == b.Public && a.CorsOrigins.SequenceEqual(b.CorsOrigins);

    private void CheckBaseline(IReadOnlyList<Grant> grants)
    {
        if (string.IsNullOrEmpty(PermissionBaseline))
        {
            return;
        }

        if (UpdatePermissionBaseline)
        {
            Infrastructure.PermissionBaseline.Write(PermissionBaseline, Provider, grants);
            Log.LogMessage(MessageImportance.High, $"Infrar: wrote {grants.Count} {Provider} grants to {PermissionBaseline}");
            return;
        }

        if (!File.Exists(PermissionBaseline))
        {
            return;
        }

        var added = Infrastructure.PermissionBaseline.Added(Infrastructure.PermissionBaseline.Read(PermissionBaseline, Provider), grants);
        foreach (var grant in added)
        {
            LogAtSite(
                InfrarCodes.BeyondBaseline,
                grant.CallSites.FirstOrDefault() ?? "",
                $"The code now needs the {Provider} grant '{grant.Key}', which {Path.GetFileName(PermissionBaseline)} does not list; needed by {string.Join(", ", grant.CallSites)}. Review it, then accept it with -p:InfrarUpdatePermissionBaseline=true.");
        }
    }

    private IEnumerable<string> WriteFolder(IReadOnlyList<KeyValuePair<string, string>> files)
    {
        Directory.CreateDirectory(InfrastructurePath);
        var marker = Path.Combine(InfrastructurePath, Marker);
        var previous = File.Exists(marker) ? File.ReadAllLines(marker).Where(l => l.Length > 0).ToHashSet() : [];
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(InfrastructurePath, name);
            if (FileWriter.WriteIfChanged(path, text))
            {
                yield return path;
            }

            previous.Remove(name);
        }

        foreach (var stale in previous)
        {
            File.Delete(Path.Combine(InfrastructurePath, stale));
        }

        FileWriter.WriteIfChanged(marker, string.Join("\n", files.Select(f => f.Key)) + "\n");
    }

    /// <summary>Removes other providers' folders under the root, when Infrar wrote them; a folder without the marker is not ours.</summary>
    private void RemoveOtherProviders()
    {
        if (!Directory.Exists(InfrastructureRoot))
        {
            return;
        }

        var current = Path.GetFullPath(InfrastructurePath).TrimEnd(Path.DirectorySeparatorChar);
        foreach (var folder in Directory.GetDirectories(InfrastructureRoot))
        {
            var marker = Path.Combine(folder, Marker);
            if (Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) == current || !File.Exists(marker))
            {
                continue;
            }

            foreach (var name in File.ReadAllLines(marker).Where(l => l.Length > 0))
            {
                File.Delete(Path.Combine(folder, name));
            }

            File.Delete(marker);
            if (!Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
    }

    private void LogAtSite(string code, string site, string message)
    {
        var colon = site.LastIndexOf(':');
        var file = colon > 0 ? Path.Combine(ProjectDirectory, site[..colon]) : null;
        var line = colon > 0 && int.TryParse(site[(colon + 1)..], out var number) ? number : 0;
        Error(code, file, line, message);
    }

    /// <summary>An error with its code and the link to its page, at a file and line when there is one.</summary>
    private void Error(string code, string? file, int line, string message) =>
        Log.LogError(null, code, null, InfrarCodes.HelpLink(code), file, line, 0, 0, 0, message);
}
