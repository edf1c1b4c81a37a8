using System.Text.Json;
using System.Text.Json.Serialization;

namespace Infrar.Local;

/// <summary>
/// What the local provider keeps beside an object's content. <see cref="Size"/> and <see cref="LastWriteTicks"/>
/// repeat the content file's own length and write time, so a sidecar left from another write (a crash between
/// the two renames) is recognised and ignored rather than trusted.
/// </summary>
internal sealed record Sidecar(
    string ContentType,
    Dictionary<string, string> Metadata,
    long Size,
    long LastWriteTicks,
    string ETag)
{
    public bool Describes(FileInfo content) =>
        content.Length == Size && content.LastWriteTimeUtc.Ticks == LastWriteTicks;

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, SidecarJson.Default.Sidecar);

    public static Sidecar? TryRead(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), SidecarJson.Default.Sidecar);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(Sidecar))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SidecarJson : JsonSerializerContext;
