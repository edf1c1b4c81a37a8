using System;
using System.IO;
using System.Linq;
using System.Text;

namespace Infrar.Local;

/// <summary>
/// Decides which object keys Infrar accepts, on every provider: what every provider can store and the local provider
/// can keep as a relative path, so that none reaches outside its bucket's folder. Every operation checks its keys
/// before any request; the analyzers compile the same file, so a key literal refused here is flagged as it is typed
/// (INFRAR0107).
/// </summary>
internal static class ObjectKeys
{
    /// <summary>The longest key every provider accepts, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    /// <summary>Returns the key's path below <paramref name="bucketDirectory"/>, or throws an <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static string ToPath(string bucketDirectory, string key, string parameterName = "key")
    {
        var problem = FindProblem(key);
        if (problem is not null)
        {
            throw new ArgumentException($"Object key '{Printable(key)}' is not allowed: {problem}.", parameterName);
        }

        var path = Path.GetFullPath(Path.Combine(bucketDirectory, key));
        if (!path.StartsWith(bucketDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Object key '{Printable(key)}' is not allowed: it resolves outside its bucket.", parameterName);
        }

        return path;
    }

    /// <summary>Describes why a key is refused, or returns null for a valid key.</summary>
    public static string? FindProblem(string? key)
    {
        if (key is null || key.Length == 0)
        {
            return "it is empty";
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            return $"it is longer than {MaxKeyBytes} bytes";
        }

        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c == '\0')
            {
                return "it contains a NUL character";
            }

            if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return "it contains an unpaired surrogate, which is not Unicode text";
            }

            if (char.IsControl(c))
            {
                return "it contains a control character";
            }

            if (c == '\\')
            {
                return "it contains a backslash; separate folders with '/'";
            }
        }

        if (key[0] == '/' || Path.IsPathRooted(key))
        {
            return "it is an absolute path; keys are relative to their bucket";
        }

        if (key[key.Length - 1] == '/')
        {
            return "it ends with '/'; Infrar stores objects, not folder markers";
        }

        foreach (var segment in key.Split('/'))
        {
            switch (segment)
            {
                case "":
                    return "it contains an empty segment ('//')";
                case "." or "..":
                    return $"it contains a '{segment}' segment";
            }
        }

        return null;
    }

    internal static string Printable(string? key) =>
        key is null ? "" : new string([.. key.Select(c => char.IsControl(c) ? '?' : c)]);
}
