using System.Globalization;
using System.Text.RegularExpressions;

namespace Infrar.Platform.Migrations;

/// <summary>Sizes as people write them: a number of bytes, or with KiB, MiB, GiB or TiB (K, M, G, T and KB… mean the same, powers of 1024).</summary>
internal static partial class ByteSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        if (Shape().Match(text.Trim()) is not { Success: true } match ||
            !decimal.TryParse(match.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var shift = char.ToUpperInvariant(match.Groups["unit"].Value.FirstOrDefault('B')) switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            'T' => 40,
            'P' => 50,
            _ => 0,
        };
        var value = number * (1L << shift);
        if (value > long.MaxValue)
        {
            return false;
        }

        bytes = (long)decimal.Floor(value);
        return true;
    }

    [GeneratedRegex(@"^(?<number>\d+(\.\d+)?)\s*(?<unit>([KMGTP](i?B)?)|B)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
