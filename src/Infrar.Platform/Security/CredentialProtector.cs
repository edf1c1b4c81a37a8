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

    /// <summary>
    /// Makes sure every instance sharing the database seals credentials with the same key: the first to start keeps a
    /// sealed check value in the database, and an instance whose key cannot open it (or, on a database from before the
    /// check, cannot open the credentials already there) refuses to start, naming the fix.
    /// </summary>
    public async Task EnsureSameKeyAsync(Data.PlatformStore store, CancellationToken cancellationToken = default)
    {
        const string Setting = "credentials_key_check";
        const string Context = "infrar:credentials-key-check";
        var check = await store.GetSettingAsync(Setting, cancellationToken);
        if (check is null)
        {
            if (await store.FindEnvironmentWithCredentialsAsync(cancellationToken) is { Credentials: { } sealedCredentials } environment &&
                !Opens(sealedCredentials, Deployments.DeploymentWorker.CredentialContext(environment)))
            {
                throw KeyMismatch();
            }

            check = await store.SetSettingOnceAsync(Setting, Protect(new Dictionary<string, string>(), Context), cancellationToken);
        }

        if (!Opens(check, Context))
        {
            throw KeyMismatch();
        }
    }

    private bool Opens(string protectedText, string context)
    {
        try
        {
            Unprotect(protectedText, context);
            return true;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    private static InvalidOperationException KeyMismatch() => new(
        "This instance's credentials key is not the key the database's credentials were sealed with, so it could not read " +
        "them. Every instance sharing a database needs the same key: set INFRAR_CREDENTIALS_KEY to the same value on each " +
        "(base64 of 32 random bytes), or copy credentials.key from the data folder of the instance that first used this database.");

    /// <param name="credentials">Environment variable names and their secret values.</param>
    /// <param name="context">What the credentials belong to; a ciphertext moved to another environment does not decrypt.</param>
    public string Protect(IReadOnlyDictionary<string, string> credentials, string context)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(credentials);
        try
        {
            return Seal(plain, context);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    public IReadOnlyDictionary<string, string> Unprotect(string protectedText, string context)
    {
        if (!IsSealed(protectedText))
        {
            throw new CryptographicException("The stored credentials are not in a format this service knows.");
        }

        var plain = Open(protectedText, context);
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(plain)!;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>Whether a stored value is sealed by this service (its format's prefix), as opposed to a plain one kept by an earlier version.</summary>
    public static bool IsSealed(string stored) => stored.StartsWith("v1:", StringComparison.Ordinal);

    /// <summary>
    /// Seals any secret the service keeps (OpenTofu state, a saved plan), bound to <paramref name="context"/>: what it
    /// belongs to, so a ciphertext copied to another row does not open there.
    /// </summary>
    public string Seal(ReadOnlySpan<byte> plain, string context)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var cipher = new byte[plain.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(_key, TagSize))
        {
            aes.Encrypt(nonce, plain, cipher, tag, Encoding.UTF8.GetBytes(context));
        }

        return "v1:" + Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    /// <summary>Opens what <see cref="Seal"/> sealed for the same context; throws <see cref="CryptographicException"/> otherwise.</summary>
    public byte[] Open(string sealedText, string context)
    {
        if (!IsSealed(sealedText))
        {
            throw new CryptographicException("The stored value is not sealed in a format this service knows.");
        }

        var blob = Convert.FromBase64String(sealedText[3..]);
        var plain = new byte[blob.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize + TagSize), blob.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(context));
        return plain;
    }
}
