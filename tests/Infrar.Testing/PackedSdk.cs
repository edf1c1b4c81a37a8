using System.IO.Compression;
using Xunit;

namespace Infrar.Testing;

/// <summary>Infrar.Sdk packed once, under a version no other run uses, into a feed of its own; removed from the NuGet cache afterwards.</summary>
public sealed class PackedSdk : IAsyncLifetime
{
    public string Version { get; } = $"0.1.0-e2e.{DateTime.UtcNow:yyyyMMddHHmmss}.{Random.Shared.Next(1000, 9999)}";

    public string Feed { get; } = Directory.CreateTempSubdirectory("infrar-feed-").FullName;

    public string Package => Path.Combine(Feed, $"Infrar.Sdk.{Version}.nupkg");

    /// <summary>A folder outside the repository with a nuget.config naming the feed, for projects that never saw the repository.</summary>
    public string CreateWorkspace()
    {
        var workspace = Directory.CreateTempSubdirectory("infrar-e2e-").FullName;
        File.WriteAllText(Path.Combine(workspace, "nuget.config"), NuGetConfig(Feed));
        return workspace;
    }

    /// <summary>
    /// Vendors the package into <c>&lt;folder&gt;/packages</c> with a nuget.config naming it, as a team keeps its own feed
    /// in its repository (a clone elsewhere, or the service's build, then restores it without this run's feed).
    /// </summary>
    public void Vendor(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "packages"));
        File.Copy(Package, Path.Combine(folder, "packages", Path.GetFileName(Package)));
        File.WriteAllText(Path.Combine(folder, "nuget.config"), NuGetConfig("packages"));
    }

    /// <summary>An app's project file that references this Infrar.Sdk and the other packages named (id, version).</summary>
    public string AppProject(params (string Id, string Version)[] packages) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Infrar.Sdk" Version="{Version}" />
        {string.Concat(packages.Select(p => $"    <PackageReference Include=\"{p.Id}\" Version=\"{p.Version}\" />\n"))}  </ItemGroup>
        </Project>
        """;

    /// <summary>A nuget.config with <paramref name="feed"/> (a folder: absolute, or relative to the file) before nuget.org.</summary>
    public static string NuGetConfig(string feed) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="infrar" value="{feed}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
          </packageSources>
        </configuration>
        """;

    public async Task InitializeAsync()
    {
        var pack = await Dotnet.RunAsync(RepositoryRoot.Path, "pack", "src/Infrar.Sdk", "-c", "Release", "-nologo", "-o", Feed, $"-p:Version={Version}");
        if (pack.ExitCode != 0 || !File.Exists(Package))
        {
            throw new InvalidOperationException("dotnet pack failed:\n" + pack.Output);
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Feed, recursive: true);
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Path.Combine(cache, "infrar.sdk", Version.ToLowerInvariant());
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }

        return Task.CompletedTask;
    }

    public IReadOnlyList<string> Entries()
    {
        using var zip = ZipFile.OpenRead(Package);
        return [.. zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal)];
    }

    public string Nuspec()
    {
        using var zip = ZipFile.OpenRead(Package);
        using var reader = new StreamReader(zip.GetEntry("Infrar.Sdk.nuspec")!.Open());
        return reader.ReadToEnd();
    }
}
