using System.ComponentModel;
using Infrar.Local;

namespace Infrar.Internal;

/// <summary>The key check every rewritten call makes first, so that every provider accepts and refuses the same keys.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Keys
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the parameter and the problem when the key is not one Infrar accepts.</summary>
    public static void Validate(string key, string parameterName)
    {
        if (ObjectKeys.FindProblem(key) is { } problem)
        {
            throw new ArgumentException($"Object key '{ObjectKeys.Printable(key)}' is not allowed: {problem}.", parameterName);
        }
    }
}
