using Infrar.Testing;
using Xunit;

namespace Infrar.Build.Tests;

/// <summary>A project that never saw this repository, with one PackageReference to Infrar.Sdk.</summary>
[Collection(RealBuilds.Name)]
public sealed class PackageTests(PackedSdk sdk) : IDisposable
{
    private readonly List<string> _workspaces = [];

    [Fact]
    public void The_package_holds_the_sdk_generator_analyzers_build_files_and_task_and_no_yaml_reader()
    {
        var entries = sdk.Entries();

        Assert.Superset(
            new HashSet<string>
            {
                "README.md",
                "lib/net10.0/Infrar.Sdk.dll",
                "lib/net10.0/Infrar.Sdk.xml",
                "analyzers/dotnet/cs/Infrar.Generators.dll",
                "analyzers/dotnet/cs/Infrar.Analyzers.dll",
                "analyzers/dotnet/cs/Infrar.CodeFixes.dll",
                "build/Infrar.Sdk.props",
                "build/Infrar.Sdk.targets",
                "build/Infrar.Providers.props",
                "buildTransitive/Infrar.Sdk.props",
                "buildTransitive/Infrar.Sdk.targets",
                "buildTransitive/Infrar.Providers.props",
                "tasks/net8.0/Infrar.Build.dll",
            },
            entries.ToHashSet());

        // The catalog is compiled into the components: no YAML reader travels with them.
        Assert.DoesNotContain(entries, entry => entry.Contains("YamlDotNet", StringComparison.OrdinalIgnoreCase));
        var nuspec = sdk.Nuspec();
        Assert.Contains("<license type=\"expression\">MIT</license>", nuspec, StringComparison.Ordinal);
        Assert.Contains("<readme>README.md</readme>", nuspec, StringComparison.Ordinal);
        Assert.Contains("<repository type=\"git\" url=\"https://github.com/infrar/infrar-dotnet\"", nuspec, StringComparison.Ordinal);
        Assert.DoesNotContain("<dependency", nuspec, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.ChangeExtension(sdk.Package, ".snupkg")));
    }

    [Fact]
    public async Task A_new_console_project_builds_for_every_provider_switching_without_a_clean_and_runs_on_local()
    {
        var project = await NewConsoleAsync("Shop", """
            using Infrar;

            var receipts = Storage.Bucket("receipts");
            await receipts.UploadAsync("r1.txt", "paid"u8.ToArray());
            var info = await receipts.GetInfoAsync("r1.txt");
            Console.WriteLine($"stored {info.Size} bytes in {receipts.PhysicalName}");
            """);
        var output = Path.Combine(project, "bin", "Debug", "net10.0");

        foreach (var (provider, sdkAssembly) in new[] { ("aws", "AWSSDK.S3.dll"), ("gcp", "Google.Cloud.Storage.V1.dll"), ("azure", "Azure.Storage.Blobs.dll"), ("local", null) })
        {
            var build = await Dotnet.RunAsync(project, "build", "-nologo", $"-p:InfrarProvider={provider}");

            Assert.True(build.ExitCode == 0, $"{provider}:\n{build.Output}");
            Assert.Contains("0 Warning(s)", build.Output, StringComparison.Ordinal);
            Assert.Equal([provider], Directory.GetDirectories(Path.Combine(output, "infra")).Select(Path.GetFileName));
            Assert.True(File.Exists(Path.Combine(output, "infra", provider, "storage.tf")), provider);
            Assert.Equal(sdkAssembly is not null, Directory.GetFiles(output, "*.dll").Any(f => Path.GetFileName(f) is "AWSSDK.S3.dll" or "Google.Cloud.Storage.V1.dll" or "Azure.Storage.Blobs.dll"));
            if (sdkAssembly is not null)
            {
                Assert.True(File.Exists(Path.Combine(output, sdkAssembly)), $"{provider} lacks {sdkAssembly}");
            }
        }

        var root = Directory.CreateTempSubdirectory("infrar-e2e-root-").FullName;
        _workspaces.Add(root);
        var run = await Dotnet.RunAsync(project, new Dictionary<string, string> { ["INFRAR_LOCAL_ROOT"] = root }, "exec", Path.Combine(output, "Shop.dll"));
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("stored 4 bytes in receipts", run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(root, "receipts", "r1.txt")));
    }

    [Fact]
    public async Task A_non_constant_bucket_name_is_reported_at_its_line()
    {
        var project = await NewConsoleAsync("Names", """
            using Infrar;

            var name = args.Length > 0 ? args[0] : "photos";
            var photos = Storage.Bucket(name);
            await photos.DeleteAsync("x");
            """);

        var build = await Dotnet.RunAsync(project, "build", "-nologo");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("Program.cs(4,29): error INFRAR0101: The name of bucket name is not a compile-time constant", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_library_that_uses_Infrar_is_rewritten_and_its_buckets_are_part_of_the_apps_infrastructure()
    {
        var workspace = sdk.CreateWorkspace();
        _workspaces.Add(workspace);
        Assert.Equal(0, (await Dotnet.RunAsync(workspace, "new", "classlib", "-n", "Ledger", "-o", "Ledger")).ExitCode);
        Assert.Equal(0, (await Dotnet.RunAsync(workspace, "new", "console", "-n", "App", "-o", "App")).ExitCode);
        AddPackage(Path.Combine(workspace, "Ledger", "Ledger.csproj"));
        File.Delete(Path.Combine(workspace, "Ledger", "Class1.cs"));
        File.WriteAllText(Path.Combine(workspace, "Ledger", "Archive.cs"), """
            using Infrar;

            namespace Ledger;

            public static class Archive
            {
                private static readonly Bucket Statements = Storage.Bucket("statements");

                public static Task StoreAsync(string month, byte[] pdf) => Statements.UploadAsync($"{month}.pdf", pdf);
            }
            """);
        var app = Path.Combine(workspace, "App");
        File.WriteAllText(Path.Combine(app, "App.csproj"), File.ReadAllText(Path.Combine(app, "App.csproj")).Replace("</Project>", "  <ItemGroup>\n    <ProjectReference Include=\"../Ledger/Ledger.csproj\" />\n  </ItemGroup>\n</Project>", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(app, "Program.cs"), "await Ledger.Archive.StoreAsync(\"2026-11\", [1, 2, 3]);\n");

        var build = await Dotnet.RunAsync(app, "build", "-nologo", "-p:InfrarProvider=aws", "-p:EmitCompilerGeneratedFiles=true");

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Single(Directory.GetFiles(Path.Combine(workspace, "Ledger", "obj"), "Infrar.Storage.Aws.g.cs", SearchOption.AllDirectories));
        var output = Path.Combine(app, "bin", "Debug", "net10.0");
        Assert.Contains("\"Ledger/Archive.cs:9\"", File.ReadAllText(Path.Combine(output, "infrar.manifest.json")), StringComparison.Ordinal);
        Assert.Contains("\"s3:PutObject\", # Ledger/Archive.cs:9", File.ReadAllText(Path.Combine(output, "infra", "aws", "iam.tf")), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(workspace, "Ledger", "bin", "Debug", "net10.0", "infra")));
    }

    [Fact]
    public async Task An_app_with_central_package_management_builds_for_a_cloud_at_the_versions_it_manages()
    {
        // Directory.Packages.props versions Infrar.Sdk and Azure.Storage.Blobs (an older one than Infrar names), not
        // Azure.Identity: the app's version must win where it has one, Infrar's elsewhere, with no NU1008.
        var workspace = sdk.CreateWorkspace();
        _workspaces.Add(workspace);
        File.WriteAllText(Path.Combine(workspace, "Directory.Packages.props"), $"""
            <Project>
              <PropertyGroup>
                <ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <PackageVersion Include="Infrar.Sdk" Version="{sdk.Version}" />
                <PackageVersion Include="Azure.Storage.Blobs" Version="12.30.0" />
              </ItemGroup>
            </Project>
            """);
        Assert.Equal(0, (await Dotnet.RunAsync(workspace, "new", "console", "-n", "Central", "-o", "Central")).ExitCode);
        var project = Path.Combine(workspace, "Central");
        var csproj = Path.Combine(project, "Central.csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("</Project>", "  <ItemGroup>\n    <PackageReference Include=\"Infrar.Sdk\" />\n  </ItemGroup>\n</Project>", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(project, "Program.cs"), "await Infrar.Storage.Bucket(\"media\").UploadAsync(\"a.txt\", [1]);\n");

        var build = await Dotnet.RunAsync(project, "build", "-nologo", "-p:InfrarProvider=azure");

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains("0 Warning(s)", build.Output, StringComparison.Ordinal);
        var assets = File.ReadAllText(Path.Combine(project, "obj", "project.assets.json"));
        Assert.Contains("\"Azure.Storage.Blobs/12.30.0\"", assets, StringComparison.Ordinal);
        Assert.Contains("\"Azure.Identity/1.21.0\"", assets, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var workspace in _workspaces)
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    private async Task<string> NewConsoleAsync(string name, string program)
    {
        var workspace = sdk.CreateWorkspace();
        _workspaces.Add(workspace);
        var created = await Dotnet.RunAsync(workspace, "new", "console", "-n", name, "-o", name);
        Assert.True(created.ExitCode == 0, created.Output);
        var project = Path.Combine(workspace, name);
        AddPackage(Path.Combine(project, name + ".csproj"));
        File.WriteAllText(Path.Combine(project, "Program.cs"), program);
        return project;
    }

    private void AddPackage(string csproj) =>
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace(
            "</Project>",
            $"  <ItemGroup>\n    <PackageReference Include=\"Infrar.Sdk\" Version=\"{sdk.Version}\" />\n  </ItemGroup>\n</Project>",
            StringComparison.Ordinal));
}
