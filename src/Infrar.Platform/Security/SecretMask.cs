using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Infrar.Platform.Security;

/// <summary>
/// Hides credential values in whatever the service keeps of a run (log lines, the plan's JSON): each value as written,
/// JSON-escaped, percent-encoded, in base64 (standard and URL-safe) and in hex. A value changed any other way (hashed,
/// cut) is not recognised, which is why credentials never reach OpenTofu as variables in the first place.
/// </summary>
internal sealed class SecretMask
{
    public const string Mask = "***";

    /// <summary>Credentials shorter than this are refused: masking them would hide ordinary text.</summary>
    public const int MinimumLength = 4;

    private readonly string[] _forms;

    public SecretMask(IEnumerable<string> secrets)
    {
        _forms = [.. secrets
            .Where(s => s.Length >= MinimumLength)
            .SelectMany(Forms)
            .Where(f => f.Length >= MinimumLength)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(f => f.Length)];
    }

    public static SecretMask None { get; } = new([]);

    public string Apply(string text)
    {
        foreach (var form in _forms)
        {
            if (text.Contains(form, StringComparison.Ordinal))
            {
                text = text.Replace(form, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    private static IEnumerable<string> Forms(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        var base64 = Convert.ToBase64String(bytes);
        yield return secret;
        yield return JsonEncodedText.Encode(secret).ToString();
        yield return JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
        yield return Uri.EscapeDataString(secret);
        yield return base64;
        yield return base64.TrimEnd('=');
        yield return base64.TrimEnd('=').Replace('+', '-').Replace('/', '_');
        yield return Convert.ToHexStringLower(bytes);
        yield return Convert.ToHexString(bytes);
    }
}
