using System.Globalization;
using System.Text.Json;
using Infrar.Internal;
using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Migrations;

/// <summary>What the migration tests copy, and the environments and deployments they copy between.</summary>
public static class MigrationData
{
    /// <summary>Larger than one part of every provider's upload (8 MiB), so each copies it in parts.</summary>
    public const int LargeSize = 20 << 20;

    /// <summary>
    /// Objects as apps hold them: small ones of many sizes, empty ones, two larger than an upload part, keys with
    /// spaces, unicode and '/', content types of several kinds, and metadata on some.
    /// </summary>
    public static Dictionary<string, StoredObject> Objects(int count, int large, int seed)
    {
        var random = new Random(seed);
        var objects = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var (key, type) = (i % 7, i % 11) switch
            {
                (0, _) => ($"ünïcødé/ファイル {i}.txt", "text/plain; charset=utf-8"),
                (_, 0) => ($"deep/a/b/c/{i}.json", "application/json"),
                (1, _) => ($"docs/report {i} final.pdf", "application/pdf"),
                _ => ($"photos/{i % 20:d2}/img {i}.jpg", "image/jpeg"),
            };
            var size = i % 97 == 0 ? 0 : random.Next(1, 4096);
            var content = new byte[size];
            random.NextBytes(content);
            var metadata = i % 3 == 0
                ? new Dictionary<string, string> { ["author"] = "ana", ["index"] = i.ToString(CultureInfo.InvariantCulture) }
                : [];
            objects[key] = new StoredObject(content, type, metadata);
        }

        for (var i = 0; i < large; i++)
        {
            var content = new byte[LargeSize + (i * 12345)];
            random.NextBytes(content);
            objects[$"video/large {i}.mp4"] = new StoredObject(content, "video/mp4", new Dictionary<string, string> { ["camera"] = "front" });
        }

        return objects;
    }

    /// <summary>Writes objects into a local environment's bucket through Infrar.Sdk's local store, as the app would have.</summary>
    public static async Task SeedLocalAsync(string root, string folder, IReadOnlyDictionary<string, StoredObject> objects)
    {
        var bucket = LocalBuckets.At(root, folder);
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (entry, ct) =>
            await bucket.UploadAsync(entry.Key, entry.Value.Content, new UploadOptions { ContentType = entry.Value.ContentType, Metadata = entry.Value.Metadata }, ct));
    }

    /// <summary>Asserts that a bucket holds exactly these objects: byte for byte, with their content types and metadata.</summary>
    public static void AssertSame(IReadOnlyDictionary<string, StoredObject> expected, IReadOnlyDictionary<string, StoredObject> actual, string where)
    {
        Assert.True(expected.Count == actual.Count, $"{where}: {actual.Count} objects where {expected.Count} were expected; missing: {string.Join(", ", expected.Keys.Except(actual.Keys).Take(5))}; extra: {string.Join(", ", actual.Keys.Except(expected.Keys).Take(5))}");
        foreach (var (key, want) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var got), $"{where}: '{key}' is missing");
            Assert.True(want.Content.AsSpan().SequenceEqual(got!.Content), $"{where}: '{key}' differs ({got.Content.Length} bytes, {want.Content.Length} expected)");
            Assert.Equal(want.ContentType, got.ContentType);
            Assert.Equal(want.Metadata.OrderBy(p => p.Key), got.Metadata.OrderBy(p => p.Key));
        }
    }

    /// <summary>A manifest of an app with the given buckets, built for <paramref name="provider"/>.</summary>
    public static JsonElement Manifest(string provider, params string[] buckets) => JsonSerializer.SerializeToElement(new
    {
        schemaVersion = 1,
        project = "Gallery",
        provider,
        service = new { name = "gallery", port = 8080, cpu = 0.25, memoryMiB = 512, minInstances = 0 },
        resources = buckets.Select((name, i) => new
        {
            kind = "bucket",
            name,
            environmentVariable = "INFRAR_BUCKET_" + name.ToUpperInvariant(),
            declaredAt = $"Program.cs:{i + 5}",
            operations = new object[]
            {
                new { id = "upload_stream", access = "write", callSites = new[] { $"Program.cs:{i + 20}" }, permissions = Array.Empty<string>() },
                new { id = "signed_write_url", access = "sign_write", callSites = new[] { $"Program.cs:{i + 30}" }, permissions = Array.Empty<string>() },
            },
        }),
    });

    /// <summary>
    /// The infra of a deployment that records a bucket output per bucket (the stand-in OpenTofu answers them): the
    /// folders under the local root, or the physical names, as each provider's infrastructure outputs them.
    /// </summary>
    public static Dictionary<string, string> Infra(string provider, string? localRoot, IReadOnlyDictionary<string, string> physicalNames)
    {
        var outputs = physicalNames.ToDictionary(p => "bucket_" + p.Key, p => provider == "local" ? Path.Combine(localRoot!, p.Value) : p.Value);
        if (provider == "azure")
        {
            outputs["storage_account_name"] = "devstoreaccount1";
        }

        return StandInTofu.InfraWithOutputs(outputs);
    }

    /// <summary>The state settings an environment of the provider needs (the stand-in OpenTofu never reads them).</summary>
    public static Dictionary<string, string> State(string provider) => provider switch
    {
        "aws" or "gcp" => new() { ["bucket"] = "infrar-state" },
        "azure" => new() { ["resource_group_name"] = "infrar", ["storage_account_name"] = "infrarstate", ["container_name"] = "state" },
        _ => [],
    };
}
