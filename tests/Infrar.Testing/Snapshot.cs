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

    /// <summary>
    /// A line diff (DiffPlex): each change as <c>-</c> expected / <c>+</c> actual with two lines of context, unchanged
    /// runs between changes elided, at most 80 lines.
    /// </summary>
    public static string Diff(string expected, string actual)
    {
        var lines = DiffPlex.DiffBuilder.InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false).Lines;
        var changed = lines.Select(l => l.Type != DiffPlex.DiffBuilder.Model.ChangeType.Unchanged).ToArray();
        var text = new StringBuilder();
        var written = 0;
        var skipped = false;
        for (var i = 0; i < lines.Count && written < 80; i++)
        {
            var near = Enumerable.Range(Math.Max(0, i - 2), Math.Min(lines.Count, i + 3) - Math.Max(0, i - 2)).Any(j => changed[j]);
            if (!near)
            {
                skipped = true;
                continue;
            }

            if (skipped && written > 0)
            {
                text.Append("  ...\n");
            }

            skipped = false;
            var mark = lines[i].Type switch
            {
                DiffPlex.DiffBuilder.Model.ChangeType.Deleted => "- ",
                DiffPlex.DiffBuilder.Model.ChangeType.Inserted => "+ ",
                _ => "  ",
            };
            var number = lines[i].Position is { } position ? $"{position,5} " : "      ";
            text.Append(mark).Append(number).Append(lines[i].Text).Append('\n');
            written++;
        }

        return text.ToString();
    }
}
