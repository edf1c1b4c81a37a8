using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Infrar.Local;

/// <summary>
/// What the local provider knows of an object beside its content: for the current write and the one before it, the
/// content type, metadata and ETag, with the content file's size and write time. A commit writes this file (new write
/// first) before it renames the new content into place, so whatever a crash leaves, old content or new, one of the
/// two versions describes it.
/// </summary>
internal sealed record Sidecar(string Key, IReadOnlyList<SidecarVersion> Versions)
{
    /// <summary>Where an object's sidecar lives: by a hash of its key, so no key can collide with another's file or folder.</summary>
    public static string PathFor(string root, string bucket, string key)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return System.IO.Path.Combine(root, ".infrar", "meta", bucket, hash[..2], hash + ".json");
    }

    /// <summary>The version that describes this content file, if any.</summary>
    public SidecarVersion? Describing(FileInfo content) =>
        Versions.FirstOrDefault(v => v.Size == content.Length && v.LastWriteTicks == content.LastWriteTimeUtc.Ticks);

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, SidecarJson.Default.Sidecar);

    public static Sidecar? TryRead(string path, string key)
    {
        try
        {
            var sidecar = JsonSerializer.Deserialize(File.ReadAllBytes(path), SidecarJson.Default.Sidecar);
            return sidecar?.Key == key ? sidecar : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>One write's description: <see cref="Size"/> and <see cref="LastWriteTicks"/> repeat the content file's own.</summary>
internal sealed record SidecarVersion(string ContentType, Dictionary<string, string> Metadata, long Size, long LastWriteTicks, string ETag);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(Sidecar))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class SidecarJson : JsonSerializerContext;
