namespace Infrar.Build.Manifest;

/// <summary>Call sites as <c>file:line</c>, ordered as people read them: by file, then by line as a number (19 before 131).</summary>
internal static class CallSites
{
    public static IComparer<string> Comparer { get; } = new SiteComparer();

    private sealed class SiteComparer : IComparer<string>
    {
        public int Compare(string? x, string? y)
        {
            var (fileX, lineX) = Split(x!);
            var (fileY, lineY) = Split(y!);
            var byFile = string.CompareOrdinal(fileX, fileY);
            return byFile != 0 ? byFile : lineX.CompareTo(lineY);
        }

        private static (string File, int Line) Split(string site)
        {
            var colon = site.LastIndexOf(':');
            return colon > 0 && int.TryParse(site[(colon + 1)..], out var line) ? (site[..colon], line) : (site, 0);
        }
    }
}
