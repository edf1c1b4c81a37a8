using System.Formats.Tar;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Infrar.Platform.Deployments;

/// <summary>
/// Reads an OCI image archive a build wrote (<c>ContainerArchiveOutputPath</c> with <c>ContainerImageFormat=OCI</c>):
/// the digest of the one image manifest its <c>index.json</c> names, which is the digest the registry gives the image
/// once it is pushed (the manifest is pushed as it is).
/// </summary>
internal static partial class ImageArchive
{
    /// <summary>The most an image archive may weigh; a build that writes more is refused.</summary>
    public const long MaxBytes = 8L << 30;

    private const long MaxIndexBytes = 1 << 20;

    /// <summary>The archive's manifest digest (<c>sha256:…</c>), or why it cannot be read.</summary>
    public static (string? Digest, string? Problem) ReadDigest(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists || file.LinkTarget is not null)
        {
            return (null, $"{file.Name} is {(file.Exists ? "a link" : "missing")}; the archive is a file the build writes");
        }

        if (file.Length > MaxBytes)
        {
            return (null, $"{file.Name} weighs {file.Length >> 20} MiB, more than the {MaxBytes >> 30} GiB an image may");
        }

        try
        {
            using var stream = file.OpenRead();
            using var reader = new TarReader(stream);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.Name is not ("index.json" or "./index.json"))
                {
                    continue;
                }

                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.Length > MaxIndexBytes || entry.DataStream is null)
                {
                    return (null, "its index.json is not a small regular file");
                }

                using var index = JsonDocument.Parse(entry.DataStream);
                var manifests = index.RootElement.TryGetProperty("manifests", out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [];
                if (manifests.Count != 1 || !manifests[0].TryGetProperty("digest", out var digest) || digest.GetString() is not { } value || !DigestShape().IsMatch(value))
                {
                    return (null, $"its index.json names {manifests.Count} manifests; one, with a sha256 digest, was expected");
                }

                return (value, null);
            }

            return (null, "it holds no index.json: it is not an OCI image archive");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or FormatException)
        {
            return (null, $"it cannot be read as an OCI image archive: {e.Message}");
        }
    }

    /// <summary>
    /// Unpacks the archive into an OCI layout folder, taking only what a layout holds (<c>oci-layout</c>,
    /// <c>index.json</c>, <c>blobs/sha256/&lt;hex&gt;</c> files and their folders) and refusing anything else: the
    /// archive came from the build, so no link, device or other path is written.
    /// </summary>
    public static string? Unpack(string archive, string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "blobs", "sha256"));
        using var stream = File.OpenRead(archive);
        using var reader = new TarReader(stream);
        while (reader.GetNextEntry() is { } entry)
        {
            var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            if (entry.EntryType == TarEntryType.Directory && name.TrimEnd('/') is "" or "blobs" or "blobs/sha256")
            {
                continue;
            }

            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !LayoutFile().IsMatch(name))
            {
                return $"the image archive holds '{name}' ({entry.EntryType}), which is not part of an OCI layout";
            }

            using var target = new FileStream(Path.Combine(folder, name), FileMode.CreateNew, FileAccess.Write);
            entry.DataStream?.CopyTo(target);
        }

        return File.Exists(Path.Combine(folder, "index.json")) ? null : "the image archive holds no index.json";
    }

    [GeneratedRegex("^(oci-layout|index\\.json|blobs/sha256/[0-9a-f]{64})$")]
    private static partial Regex LayoutFile();

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    public static partial Regex DigestShape();
}
