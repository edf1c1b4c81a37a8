using System.Runtime.CompilerServices;
using System.Text;

namespace Infrar.Testing;

/// <summary>
/// Compares text with a checked-in snapshot beside the test. On a mismatch it writes <c>*.received.*</c> and fails
/// with a line diff; with <c>INFRAR_ACCEPT_SNAPSHOTS=1</c> it accepts the new text instead.
/// </summary>
public static class Snapshot
{
    public static void Match(string actual, string name, [CallerFilePath] string testFile = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots");
        var expectedPath = Path.Combine(directory, name);
        var receivedPath = Path.Combine(directory, Path.GetFileNameWithoutExtension(name) + ".received" + Path.GetExtension(name));
        actual = actual.Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable("INFRAR_ACCEPT_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(expectedPath, actual);
            File.Delete(receivedPath);
            return;
        }

        var expected = File.Exists(expectedPath) ? File.ReadAllText(expectedPath).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(receivedPath, actual);
        throw new Xunit.Sdk.XunitException(expected is null
            ? $"No snapshot {name} yet; the output is in {receivedPath}. Run with INFRAR_ACCEPT_SNAPSHOTS=1 to accept it."
            : $"{name} differs from its snapshot (output in {receivedPath}; INFRAR_ACCEPT_SNAPSHOTS=1 accepts it):\n{Diff(expected, actual)}");
    }

    /// <summary>The differing lines with a little context, as <c>-</c> expected / <c>+</c> actual.</summary>
    public static string Diff(string expected, string actual)
    {
        var left = expected.Split('\n');
        var right = actual.Split('\n');
        var text = new StringBuilder();
        var shown = 0;
        for (var i = 0; i < Math.Max(left.Length, right.Length) && shown < 40; i++)
        {
            var l = i < left.Length ? left[i] : null;
            var r = i < right.Length ? right[i] : null;
            if (l == r)
            {
                continue;
            }

            text.Append("line ").Append(i + 1).Append('\n');
            if (l is not null)
            {
                text.Append("- ").Append(l).Append('\n');
            }

            if (r is not null)
            {
                text.Append("+ ").Append(r).Append('\n');
            }

            shown++;
        }

        return text.ToString();
    }
}
