using System.Collections.Frozen;
using System.ComponentModel;

namespace Infrar.Internal;

/// <summary>
/// The content type an upload gets when it names none: from the key's extension, on every provider alike (as the AWS
/// SDK does by itself, so that code moved from it keeps its types), else <c>application/octet-stream</c>. Public for the
/// code Infrar generates; not an API.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ContentTypes
{
    /// <summary>The type of content whose type is not known.</summary>
    public const string Unknown = "application/octet-stream";

    private static readonly FrozenDictionary<string, string> ByExtension = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        // Text and the web
        [".txt"] = "text/plain",
        [".text"] = "text/plain",
        [".log"] = "text/plain",
        [".md"] = "text/markdown",
        [".csv"] = "text/csv",
        [".tsv"] = "text/tab-separated-values",
        [".html"] = "text/html",
        [".htm"] = "text/html",
        [".css"] = "text/css",
        [".js"] = "text/javascript",
        [".mjs"] = "text/javascript",
        [".json"] = "application/json",
        [".map"] = "application/json",
        [".xml"] = "application/xml",
        [".yaml"] = "application/yaml",
        [".yml"] = "application/yaml",
        [".ics"] = "text/calendar",
        [".wasm"] = "application/wasm",
        [".pdf"] = "application/pdf",
        [".rtf"] = "application/rtf",

        // Images
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".gif"] = "image/gif",
        [".webp"] = "image/webp",
        [".avif"] = "image/avif",
        [".svg"] = "image/svg+xml",
        [".ico"] = "image/vnd.microsoft.icon",
        [".bmp"] = "image/bmp",
        [".tif"] = "image/tiff",
        [".tiff"] = "image/tiff",
        [".heic"] = "image/heic",

        // Sound and video
        [".mp3"] = "audio/mpeg",
        [".wav"] = "audio/wav",
        [".ogg"] = "audio/ogg",
        [".oga"] = "audio/ogg",
        [".flac"] = "audio/flac",
        [".m4a"] = "audio/mp4",
        [".mp4"] = "video/mp4",
        [".m4v"] = "video/mp4",
        [".webm"] = "video/webm",
        [".mov"] = "video/quicktime",
        [".avi"] = "video/x-msvideo",

        // Fonts
        [".woff"] = "font/woff",
        [".woff2"] = "font/woff2",
        [".ttf"] = "font/ttf",
        [".otf"] = "font/otf",

        // Archives and documents
        [".zip"] = "application/zip",
        [".gz"] = "application/gzip",
        [".tgz"] = "application/gzip",
        [".tar"] = "application/x-tar",
        [".7z"] = "application/x-7z-compressed",
        [".doc"] = "application/msword",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xls"] = "application/vnd.ms-excel",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".ppt"] = "application/vnd.ms-powerpoint",
        [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        [".odt"] = "application/vnd.oasis.opendocument.text",
        [".epub"] = "application/epub+zip",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The content type to store: <paramref name="given"/> when there is one, else the one the key's extension names.</summary>
    public static string For(string key, string? given) => given ?? FromKey(key);

    /// <summary>The content type the key's extension (after its last '/' and last '.', any case) names, or <see cref="Unknown"/>.</summary>
    public static string FromKey(string key)
    {
        var name = key.AsSpan(key.LastIndexOf('/') + 1);
        var dot = name.LastIndexOf('.');
        return dot > 0 && ByExtension.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(name[dot..], out var type) ? type : Unknown;
    }
}
