namespace Infrar.Analyzers.Tests;

/// <summary>
/// The root of Infrar's local store for this test process. Infrar reads <c>INFRAR_LOCAL_ROOT</c> once, at its first
/// local call, so every test that runs migrated code shares one root and keeps to buckets of its own.
/// </summary>
internal static class LocalStore
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("infrar-analyzers-local-").FullName;
        Environment.SetEnvironmentVariable("INFRAR_LOCAL_ROOT", root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        return root;
    });

    /// <summary>Sets the root, once, and returns it.</summary>
    public static string Use() => LazyRoot.Value;
}
