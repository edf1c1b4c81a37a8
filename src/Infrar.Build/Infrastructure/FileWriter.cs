namespace Infrar.Build.Infrastructure;

/// <summary>Writes files so that nothing changes when nothing changed, and nothing is left half-written.</summary>
internal static class FileWriter
{
    /// <summary>Writes <paramref name="text"/> unless the file already holds it (its date then stays), through a temporary file renamed into place.</summary>
    public static bool WriteIfChanged(string path, string text)
    {
        if (File.Exists(path) && File.ReadAllText(path) == text)
        {
            return false;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
        return true;
    }
}
