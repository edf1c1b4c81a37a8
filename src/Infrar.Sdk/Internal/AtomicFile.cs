using System.ComponentModel;

namespace Infrar.Internal;

/// <summary>Writes a file so that it appears whole or not at all. Used by the local provider and by generated downloads.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class AtomicFile
{
    /// <summary>Writes through <paramref name="write"/> into a temporary file beside <paramref name="path"/>, then renames it over <paramref name="path"/>.</summary>
    public static async Task WriteAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken = default)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var firstCreated = FirstMissing(directory);
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await write(stream).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch when (firstCreated is not null)
        {
            // A failed write leaves the file system as it found it: the folders made for it go too, if still empty.
            File.Delete(temporary);
            RemoveEmpty(directory, firstCreated);
            throw;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>The outermost folder of <paramref name="directory"/> that does not exist yet, or null when it exists.</summary>
    private static string? FirstMissing(string directory)
    {
        string? missing = null;
        for (var current = directory; current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing = current;
        }

        return missing;
    }

    private static void RemoveEmpty(string directory, string upTo)
    {
        for (var current = directory; current is not null && current.Length >= upTo.Length; current = Path.GetDirectoryName(current))
        {
            try
            {
                Directory.Delete(current);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // not empty: something else now lives there
            }
        }
    }
}
