using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Infrar.Testing;

/// <summary>The hashes Cloud Storage reports for an object (base64, CRC32C big-endian), as stand-ins for it must send them.</summary>
public static class CloudStorageHashes
{
    private static readonly uint[] Table = CreateTable();

    /// <summary>The value of an <c>X-Goog-Hash</c> header for the content: <c>crc32c=…,md5=…</c>.</summary>
    public static string Header(ReadOnlySpan<byte> content) => $"crc32c={Crc32C(content)},md5={Md5(content)}";

    public static string Md5(ReadOnlySpan<byte> content) => Convert.ToBase64String(MD5.HashData(content));

    /// <summary>CRC32C (Castagnoli) of the content, big-endian and base64.</summary>
    public static string Crc32C(ReadOnlySpan<byte> content)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in content)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, ~crc);
        return Convert.ToBase64String(bytes);
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
