namespace Infrar.Platform.Security;

/// <summary>Writes a secret to a file only its owner can read, never leaving a readable moment in between.</summary>
internal static class SecretFile
{
    public static void Write(string path, string secret)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(secret);
            writer.Write('\n');
        }

        File.Move(temporary, path, overwrite: true);
    }
}
