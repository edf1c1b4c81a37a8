using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Infrar.Testing;
using Xunit;

namespace Infrar.Catalog.Tests;

/// <summary>
/// Provider knowledge lives in catalog/ once: the components read it (EmbeddedCatalog, and the build files written from
/// it), so no provider name, state backend or provider SDK namespace is written in their C# or MSBuild files.
/// </summary>
public sealed partial class ProviderKnowledgeTests
{
    /// <summary>The places allowed to name a provider, each with why.</summary>
    private static readonly Dictionary<string, string> Allowed = new(StringComparer.Ordinal)
    {
        // Infrar.Sdk's own code is the local provider: it names itself in its exceptions, and refuses to run where the
        // app was built for another (LocalOnly); it cannot read the catalog, which describes the other providers.
        ["src/Infrar.Sdk/Local/LocalObjectStore.cs"] = "the local provider names itself",
        ["src/Infrar.Sdk/Local/LocalOnly.cs"] = "the local provider recognises its own builds",
        // The S3 and Blob calls the INFRAR0105 fix knows how to move onto Infrar (issue 20 reworks these fixes).
        ["src/Infrar.Analyzers/Rules/ProviderSdkRewrite.cs"] = "the SDK calls the adoption fix rewrites, and why it leaves the rest",
        ["src/Infrar.Analyzers/Rules/ProviderSdkRewrite.Reads.cs"] = "the SDK reads the adoption fix rewrites, and what of their responses it follows",
        // The service's own copy of buckets between providers (issue 16): which SDK reads and writes each provider's.
        ["src/Infrar.Platform/Migrations/Stores/ObjectStores.cs"] = "the migration's copy maps each provider to its SDK",
        // Which cloud's transfer service can take a bucket from which provider, and the OpenTofu that hands it over:
        // knowledge of pairs of providers and their services, which the per-provider catalog does not describe.
        ["src/Infrar.Platform/Migrations/Transfers/TransferEngines.cs"] = "which transfer service takes a bucket between two providers",
        ["src/Infrar.Platform/Migrations/Transfers/TransferConfig.cs"] = "the OpenTofu that hands a bucket to a transfer service",
        // Written from the catalog, and held to it by BuildFilesTests.
        ["src/Infrar.Build/build/Infrar.Providers.props"] = "written from the catalog",
        ["src/Infrar.Build/build/Infrar.Catalog.props"] = "written from the catalog",
    };

    [Fact]
    public void No_component_names_a_provider_a_backend_or_an_sdk_namespace()
    {
        var root = RepositoryRoot.Path;
        var found = new[] { "*.cs", "*.targets", "*.props" }
            .SelectMany(pattern => Directory.EnumerateFiles(Path.Combine(root, "src"), pattern, SearchOption.AllDirectories))
            .Select(file => Path.GetRelativePath(root, file).Replace('\\', '/'))
            .Where(file => !file.Contains("/obj/", StringComparison.Ordinal) && !file.Contains("/bin/", StringComparison.Ordinal) && !Allowed.ContainsKey(file))
            .SelectMany(file => Knowledge().Matches(File.ReadAllText(Path.Combine(root, file))).Select(m => $"{file}: {m.Value}"))
            .ToList();

        Assert.Empty(found);
    }

    [GeneratedRegex(@"[""'](aws|gcp|azure|local|s3|gcs|azurerm)[""']|[""'](Amazon\.S3|Azure\.Storage|Google\.Cloud\.Storage|Google\.Apis\.Storage)[.""']")]
    private static partial Regex Knowledge();
}
