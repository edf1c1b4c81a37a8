using Infrar.Testing;

namespace Infrar.Build.Tests;

/// <summary>A copy of samples/PhotoService with its own obj and bin, importing the repository's build files, removed afterwards.</summary>
public sealed class SampleCopy : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateDirectory(System.IO.Path.Combine(RepositoryRoot.Path, "artifacts", "build-tests", Guid.NewGuid().ToString("N")));

    public SampleCopy()
    {
        var source = System.IO.Path.Combine(RepositoryRoot.Path, "samples", "PhotoService");
        Path = Directory.CreateDirectory(System.IO.Path.Combine(_work.FullName, "PhotoService")).FullName;
        foreach (var file in Directory.GetFiles(source, "*.cs"))
        {
            File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
        }

        var eng = System.IO.Path.Combine(RepositoryRoot.Path, "eng") + System.IO.Path.DirectorySeparatorChar;
        File.WriteAllText(
            System.IO.Path.Combine(Path, "PhotoService.csproj"),
            File.ReadAllText(System.IO.Path.Combine(source, "PhotoService.csproj")).Replace("../../eng/", eng, StringComparison.Ordinal));
    }

    public string Path { get; }

    public string Output => System.IO.Path.Combine(Path, "bin", "Debug", "net10.0");

    public string Program => System.IO.Path.Combine(Path, "Program.cs");

    /// <summary>The line of Program.cs holding <paramref name="text"/>, 1-based.</summary>
    public int LineOf(string text) => Array.FindIndex(File.ReadAllLines(Program), l => l.Contains(text, StringComparison.Ordinal)) + 1;

    public Task<CommandResult> BuildAsync(params string[] properties) =>
        Dotnet.RunAsync(Path, ["build", "-nologo", .. properties.Select(p => "-p:" + p)]);

    public void Dispose() => _work.Delete(recursive: true);
}
