using System.Globalization;
using System.Text;

namespace Infrar.Build.Infrastructure;

/// <summary>Names derived from logical names, each within the rules of where it is used.</summary>
internal static class Naming
{
    /// <summary>An HCL identifier: lower-case letters, digits and <c>_</c>, not starting with a digit.</summary>
    public static string Identifier(string name)
    {
        var id = new string([.. name.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '_')]);
        return id.Length == 0 || char.IsAsciiDigit(id[0]) ? "b_" + id : id;
    }

    /// <summary>A DNS-style label: lower-case letters, digits and <c>-</c>, at most <paramref name="max"/> long.</summary>
    public static string DnsLabel(string name, int max = 63)
    {
        var label = new string([.. name.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-')]).Trim('-');
        label = label.Length > max ? label[..max].TrimEnd('-') : label;
        return label.Length == 0 ? "app" : label;
    }

    /// <summary>PascalCase, for statement ids: <c>user-photos</c> becomes <c>UserPhotos</c>.</summary>
    public static string Pascal(string name) =>
        string.Concat(name.Split(['-', '_', '.', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>Escapes a value for use inside an HCL string.</summary>
    public static string HclString(string value) =>
        value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("${", "$${").Replace("%{", "%%{");

    /// <summary>An HCL list of strings.</summary>
    public static string HclList(IEnumerable<string> values) =>
        "[" + string.Join(", ", values.Select(v => "\"" + HclString(v) + "\"")) + "]";

    public static string Number(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Alphanumeric(string name, int max)
    {
        var text = new StringBuilder();
        foreach (var c in name.ToLowerInvariant().Where(c => c is >= 'a' and <= 'z' or >= '0' and <= '9'))
        {
            text.Append(c);
        }

        var result = text.Length > max ? text.ToString(0, max) : text.ToString();
        return result.Length < 3 ? result + "app" : result;
    }
}
