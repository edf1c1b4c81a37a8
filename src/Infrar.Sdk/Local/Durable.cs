using System.Runtime.InteropServices;

namespace Infrar.Local;

/// <summary>
/// What makes a local write survive a power cut: file contents flushed to the disk before they are renamed into place,
/// and the folder that holds the new name flushed after.
/// </summary>
internal static partial class Durable
{
    private const int ReadOnly = 0;

    /// <summary>Flushes a folder's entries (a rename into it) to the disk. Windows makes renames durable on its own.</summary>
    public static void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var descriptor = open(directory, ReadOnly);
        if (descriptor < 0)
        {
            return;
        }

        try
        {
            fsync(descriptor);
        }
        finally
        {
            close(descriptor);
        }
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int descriptor);

    [LibraryImport("libc")]
    private static partial int close(int descriptor);
}
