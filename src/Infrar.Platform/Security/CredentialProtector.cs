using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Infrar.Platform.Security;

/// <summary>
/// Encrypts environment credentials with AES-256-GCM under a key kept outside the database: the base64 key in
/// INFRAR_CREDENTIALS_KEY, or else a key file in the service's data folder, created with owner-only permissions on
/// first start. A copy of the database alone reveals no credential.
/// </summary>
internal sealed class CredentialProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public CredentialProtector(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The credentials key must be 32 bytes (base64 of 32 random bytes).", nameof(key));
        }

        _key = key;
    }

    public static CredentialProtector FromEnvironmentOrFile(string keyFile)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("INFRAR_CREDENTIALS_KEY");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return new CredentialProtector(Convert.FromBase64String(fromEnvironment));
        }

        if (!File.Exists(keyFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
            var key = RandomNumberGenerator.GetBytes(32);
            SecretFile.Write(keyFile, Convert.ToBase64String(key));
        }

        return new CredentialProtector(Convert.FromBase64String(File.ReadAllText(keyFile).Trim()));
    }

    /// <param name="credentials">Environment variable names and their secret values.</param>
    /// <param name="context">What the credentials belong to; a ciphertext moved to another environment does not decrypt.</param>
    public string Protect(IReadOnlyDictionary<string, string> credentials, string context)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(credentials);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(_key, TagSize))
        {
            aes.Encrypt(nonce, plain, cipher, tag, Encoding.UTF8.GetBytes(context));
        }

        CryptographicOperations.ZeroMemory(plain);
        return "v1:" + Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    public IReadOnlyDictionary<string, string> Unprotect(string protectedText, string context)
    {
        if (!protectedText.StartsWith("v1:", StringComparison.Ordinal))
        {
            throw new CryptographicException("The stored credentials are not in a format this service knows.");
        }

        var blob = Convert.FromBase64String(protectedText[3..]);
        var plain = new byte[blob.Length - NonceSize - TagSize];
        using (var aes = new AesGcm(_key, TagSize))
        {
            aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize + TagSize), blob.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(context));
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(plain)!;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
