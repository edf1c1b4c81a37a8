using System.Runtime.CompilerServices;

namespace Infrar.Sdk.Tests;

internal static class TestEnvironment
{
    /// <summary>The local provider's root for this test run. It is read once per process, so it is set before any test runs.</summary>
    public static string LocalRoot { get; private set; } = "";

    [ModuleInitializer]
    internal static void Initialize()
    {
        LocalRoot = Directory.CreateTempSubdirectory("infrar-tests-").FullName;
        Environment.SetEnvironmentVariable("INFRAR_LOCAL_ROOT", LocalRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(LocalRoot, recursive: true);
            }
            catch (IOException)
            {
            }
        };
    }
}
