using System.Globalization;
using System.Text;

namespace Infrar.Benchmarks.Generator;

/// <summary>
/// Application code of a chosen size: <c>callSites</c> Infrar calls spread evenly over <c>files</c> files, each file
/// declaring one of ten buckets, the operations in rotation, plus one file unrelated to Infrar for the edit.
/// </summary>
public static class SyntheticProject
{
    public const string UnrelatedPath = "Arithmetic.cs";

    private static readonly string[] Calls =
    [
        "await Media.UploadAsync(key, content, cancellationToken: ct);",
        "_ = await Media.DownloadBytesAsync(key, ct);",
        "_ = await Media.ExistsAsync(key, ct);",
        "_ = await Media.GetInfoAsync(key, ct);",
        "await foreach (var entry in Media.ListAsync(key, cancellationToken: ct)) { _ = entry; }",
        "await Media.CopyAsync(key, key + \".copy\", ct);",
        "await Media.DeleteAsync(key, ct);",
    ];

    public static IReadOnlyList<(string Path, string Text)> Create(int callSites, int files)
    {
        var sources = new List<(string, string)>(files + 1);
        for (var file = 0; file < files; file++)
        {
            // Spread the remainder over the first files, so the total is exactly callSites.
            var count = callSites / files + (file < callSites % files ? 1 : 0);
            sources.Add(($"Feature{file:D4}.cs", Feature(file, count)));
        }

        sources.Add((UnrelatedPath, Unrelated(0)));
        return sources;
    }

    /// <summary>The unrelated file after an edit that has nothing to do with storage.</summary>
    public static string Unrelated(int revision) => $$"""
        namespace Synthetic;

        public static class Arithmetic
        {
            public static int Scale(int x) => x * {{revision + 2}};
        }
        """;

    private static string Feature(int file, int callSites)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $$"""
            using System.Threading;
            using System.Threading.Tasks;
            using Infrar;

            namespace Synthetic;

            public sealed class Feature{{file:D4}}
            {
                private static readonly Bucket Media = Storage.Bucket("media-{{file % 10}}");

                public async Task RunAsync(string key, byte[] content, CancellationToken ct)
                {

            """);
        for (var call = 0; call < callSites; call++)
        {
            text.Append("        ").AppendLine(Calls[(file + call) % Calls.Length]);
        }

        text.Append("    }\n}\n");
        return text.ToString();
    }
}
