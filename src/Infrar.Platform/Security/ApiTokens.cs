using System.Security.Cryptography;
using System.Text;

namespace Infrar.Platform.Security;

/// <summary>
/// API tokens: 32 random bytes, shown once when made and stored only as their SHA-256 (the tokens are random, so a
/// fast hash is enough; there is nothing to guess).
/// </summary>
internal static class ApiTokens
{
    public const string Prefix = "infrar_";

    public static string Create() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
