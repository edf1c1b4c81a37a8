namespace Infrar.Testing;

public static class RepositoryRoot
{
    /// <summary>The folder holding Infrar.Sdk.sln, found upwards from the test's output folder.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Infrar.Sdk.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"Infrar.Sdk.sln not found above {AppContext.BaseDirectory}.");
    }
}
