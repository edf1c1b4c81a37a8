using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Infrar.Testing;
using Xunit;

namespace Infrar.Build.Tests;

/// <summary>
/// Every route by which a call could miss the rewrite and write to the local disk in an app built for a cloud, tried
/// with the packed SDK in projects that never saw this repository: the provider reaches referenced projects however it
/// is set, a library built for another provider fails the build, and a call that escapes anyway refuses to run.
/// </summary>
[Collection(RealBuilds.Name)]
public sealed class EscapeBuildTests(PackedSdk sdk) : IDisposable
{
    private const string LedgerCode = """
        using Infrar;

        namespace Ledger;

        public static class Archive
        {
            private static readonly Bucket Statements = Storage.Bucket("statements");

            public static Task StoreAsync(string month, byte[] pdf) => Statements.UploadAsync($"{month}.pdf", pdf);
        }
        """;

    private readonly List<string> _workspaces = [];

    [Fact]
    public async Task A_provider_set_in_the_apps_project_file_reaches_its_library_and_the_solution_builds_both_side_by_side()
    {
        var (workspace, app) = await AppWithLedgerAsync(providerInProject: "aws");
        Assert.Equal(0, (await Dotnet.RunAsync(workspace, "new", "sln", "-n", "Shop")).ExitCode);
        Assert.Equal(0, (await Dotnet.RunAsync(workspace, "sln", "add", "App/App.csproj", "Ledger/Ledger.csproj")).ExitCode);

        var build = await Dotnet.RunAsync(workspace, "build", "-nologo");

        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Contains("Infrar: building Ledger for aws, as App is", build.Output, StringComparison.Ordinal);
        var output = Path.Combine(app, "bin", "Debug", "net10.0");
        Assert.Equal("aws", BuiltFor(Path.Combine(output, "Ledger.dll")));
        Assert.Equal("local", BuiltFor(Path.Combine(workspace, "Ledger", "bin", "Debug", "net10.0", "Ledger.dll")));
        Assert.Contains("\"s3:PutObject\", # Ledger/Archive.cs:9", File.ReadAllText(Path.Combine(output, "infra", "aws", "iam.tf")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_library_dll_built_for_local_fails_a_cloud_apps_build_naming_it()
    {
        var (workspace, app) = await AppWithLedgerAsync(providerInProject: null);
        var ledger = await Dotnet.RunAsync(Path.Combine(workspace, "Ledger"), "build", "-nologo");
        Assert.True(ledger.ExitCode == 0, ledger.Output);
        var dll = Path.Combine(workspace, "Ledger", "bin", "Debug", "net10.0", "Ledger.dll");
        var project = Path.Combine(app, "App.csproj");
        File.WriteAllText(project, File.ReadAllText(project).Replace(
            "<ProjectReference Include=\"../Ledger/Ledger.csproj\" />",
            $"<Reference Include=\"Ledger\" HintPath=\"{dll}\" />",
            StringComparison.Ordinal));

        var build = await Dotnet.RunAsync(app, "build", "-nologo", "-p:InfrarProvider=aws");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error INFRAR0003: Ledger makes 1 call(s) on Infrar resources compiled for InfrarProvider=local, but this project is built for aws", build.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_that_escapes_the_rewrite_refuses_to_write_to_the_local_disk()
    {
        var workspace = sdk.CreateWorkspace();
        _workspaces.Add(workspace);
        var app = await NewProjectAsync(workspace, "console", "Sneaky", """
            using Infrar;

            #pragma warning disable INFRAR0103 // The escape this test is about.
            var photos = Storage.Bucket("photos");
            dynamic untyped = photos;
            try
            {
                await untyped.UploadAsync("cat.jpg", new byte[] { 1, 2, 3 });
            }
            catch (CallNotRewrittenException e)
            {
                Console.WriteLine(e.Message);
                return 3;
            }

            return 0;
            """);
        var build = await Dotnet.RunAsync(app, "build", "-nologo", "-p:InfrarProvider=AWS");
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.True(Directory.Exists(Path.Combine(app, "bin", "Debug", "net10.0", "infra", "aws")), "AWS in any case is aws");

        var root = Path.Combine(workspace, "local-root");
        var run = await Dotnet.RunAsync(app, new Dictionary<string, string> { ["INFRAR_LOCAL_ROOT"] = root }, "exec", Path.Combine(app, "bin", "Debug", "net10.0", "Sneaky.dll"));

        Assert.True(run.ExitCode == 3, run.Output);
        Assert.Contains("Bucket.UploadAsync on photos ran Infrar's local file store, but this app was built for aws (InfrarProvider=aws)", run.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(root), "nothing was written to the local disk");
    }

    [Fact]
    public async Task A_bucket_declared_in_a_library_and_the_app_with_other_options_fails_the_build()
    {
        var (_, app) = await AppWithLedgerAsync(providerInProject: null);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Infrar;

            var statements = Storage.Bucket("statements", new BucketOptions { Versioning = true });
            await statements.DeleteAsync("old.pdf");
            await Ledger.Archive.StoreAsync("2026-11", [1, 2, 3]);
            """);

        var build = await Dotnet.RunAsync(app, "build", "-nologo", "-p:InfrarProvider=aws");

        Assert.NotEqual(0, build.ExitCode);
        Assert.Matches(@"Program\.cs\(3\): error INFRAR0106: Bucket 'statements' is declared here and at Ledger/Archive\.cs:7 with different options", build.Output);
    }

    public void Dispose()
    {
        foreach (var workspace in _workspaces)
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    /// <summary>The provider an assembly was built for, from its <c>[assembly: InfrarBuild]</c>, read without loading it.</summary>
    private static string? BuiltFor(string assembly)
    {
        using var stream = File.OpenRead(assembly);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind == HandleKind.MemberReference &&
                reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent is { Kind: HandleKind.TypeReference } parent &&
                reader.GetString(reader.GetTypeReference((TypeReferenceHandle)parent).Name) == "InfrarBuildAttribute")
            {
                var blob = reader.GetBlobReader(attribute.Value);
                blob.ReadUInt16();
                return blob.ReadSerializedString();
            }
        }

        return null;
    }

    private async Task<(string Workspace, string App)> AppWithLedgerAsync(string? providerInProject)
    {
        var workspace = sdk.CreateWorkspace();
        _workspaces.Add(workspace);
        var ledger = await NewProjectAsync(workspace, "classlib", "Ledger", null);
        File.Delete(Path.Combine(ledger, "Class1.cs"));
        File.WriteAllText(Path.Combine(ledger, "Archive.cs"), LedgerCode);
        var app = await NewProjectAsync(workspace, "console", "App", "await Ledger.Archive.StoreAsync(\"2026-11\", [1, 2, 3]);\n");
        var project = Path.Combine(app, "App.csproj");
        var properties = providerInProject is null ? "" : $"  <PropertyGroup>\n    <InfrarProvider>{providerInProject}</InfrarProvider>\n  </PropertyGroup>\n";
        File.WriteAllText(project, File.ReadAllText(project).Replace(
            "</Project>",
            properties + "  <ItemGroup>\n    <ProjectReference Include=\"../Ledger/Ledger.csproj\" />\n  </ItemGroup>\n</Project>",
            StringComparison.Ordinal));
        return (workspace, app);
    }

    private async Task<string> NewProjectAsync(string workspace, string template, string name, string? program)
    {
        var created = await Dotnet.RunAsync(workspace, "new", template, "-n", name, "-o", name);
        Assert.True(created.ExitCode == 0, created.Output);
        var folder = Path.Combine(workspace, name);
        var csproj = Path.Combine(folder, name + ".csproj");
        File.WriteAllText(csproj, File.ReadAllText(csproj).Replace(
            "</Project>",
            $"  <ItemGroup>\n    <PackageReference Include=\"Infrar.Sdk\" Version=\"{sdk.Version}\" />\n  </ItemGroup>\n</Project>",
            StringComparison.Ordinal));
        if (program is not null)
        {
            File.WriteAllText(Path.Combine(folder, "Program.cs"), program);
        }

        return folder;
    }
}
