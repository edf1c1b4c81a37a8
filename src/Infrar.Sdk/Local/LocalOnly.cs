using System.Diagnostics;
using System.Reflection;
using Infrar.Internal;

namespace Infrar.Local;

/// <summary>
/// Keeps the local store to local builds. Every cloud build rewrites each call site, so a call that still reaches a
/// local body in an app built for a cloud escaped the rewrite (an assembly built for another provider, a call through
/// reflection, <c>dynamic</c> or a delegate); it is refused with an exception that says where and what to do.
/// </summary>
internal static class LocalOnly
{
    private static readonly Lazy<string?> AppProvider = new(() =>
        Assembly.GetEntryAssembly()?.GetCustomAttribute<InfrarBuildAttribute>()?.Provider);

    /// <summary>The provider the running app's entry assembly was built for, or null when it was not built with Infrar.</summary>
    public static string? Provider => AppProvider.Value;

    public static void Ensure(string resource, string method)
    {
        if (Provider is not { } provider || provider == "local")
        {
            return;
        }

        throw new CallNotRewrittenException(
            $"{method} on {resource} ran Infrar's local file store, but this app was built for {provider} (InfrarProvider={provider}), " +
            $"so this call was not rewritten into a {provider} call{Caller()}. Calls are rewritten where the compiler sees them: build every " +
            $"project that calls Infrar with InfrarProvider={provider} (set it in Directory.Build.props, or pass -p:InfrarProvider={provider}), " +
            "and call Infrar methods directly, not through dynamic, reflection or a delegate. The local store refuses to run in a cloud " +
            "build so that no data is written to this machine's disk.")
        {
            Provider = provider,
            Method = method,
        };
    }

    /// <summary>Where the call came from: the first frame outside this assembly, with its file and line when symbols tell.</summary>
    private static string Caller()
    {
        foreach (var frame in new StackTrace(2, fNeedFileInfo: true).GetFrames())
        {
            if (frame.GetMethod() is not { DeclaringType: { } type } method || type.Assembly == typeof(LocalOnly).Assembly)
            {
                continue;
            }

            var where = frame.GetFileName() is { } file ? $" ({Path.GetFileName(file)}:{frame.GetFileLineNumber()})" : "";
            return $" (called from {type.Assembly.GetName().Name}: {type.FullName}.{method.Name}{where})";
        }

        return "";
    }
}
