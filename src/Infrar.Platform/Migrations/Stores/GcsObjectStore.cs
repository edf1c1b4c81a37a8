using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Google;
using Google.Cloud.Storage.V1;

namespace Infrar.Platform.Migrations.Stores;

/// <summary>
/// A Cloud Storage bucket through Google.Cloud.Storage.V1. A write is the library's resumable upload in 8 MiB chunks,
/// fed by a stream that hashes what it hands over, and the MD5 Cloud Storage answers for the object is compared with
/// it. Downloads are checked by the library against the object's CRC32C.
/// </summary>
internal sealed class GcsObjectStore(StorageClient client, string bucket) : ObjectStore
{
    public override string Description => $"gcp:gs://{bucket}";

    /// <summary>
    /// A client from an environment's credentials: a service account key in GOOGLE_CREDENTIALS (as OpenTofu's google
    /// provider takes it), or an emulator's address in STORAGE_EMULATOR_HOST, without credentials.
    /// </summary>
    public static GcsObjectStore Create(IReadOnlyDictionary<string, string> credentials, string bucket)
    {
        var builder = new StorageClientBuilder();
        if (credentials.GetValueOrDefault("STORAGE_EMULATOR_HOST") is { Length: > 0 } host)
        {
            var root = new Uri(host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host);
            builder.BaseUri = (root.AbsolutePath == "/" ? new Uri(root, "storage/v1/") : root).ToString();
            builder.UnauthenticatedAccess = true;
        }
        else if (credentials.GetValueOrDefault("GOOGLE_CREDENTIALS") is { Length: > 0 } json)
        {
            // Only a service account key: a key of another type (an external account) would make the library fetch
            // tokens from URLs the key names.
            builder.GoogleCredential = Google.Apis.Auth.OAuth2.CredentialFactory.FromJson<Google.Apis.Auth.OAuth2.ServiceAccountCredential>(json).ToGoogleCredential();
        }
        else
        {
            throw new MigrationInputException("the gcp environment has no GOOGLE_CREDENTIALS credential (a service account key), which the copy reads and writes Cloud Storage with");
        }

        return new GcsObjectStore(builder.Build(), bucket);
    }

    public override async IAsyncEnumerable<ListedObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entry in client.ListObjectsAsync(bucket).WithCancellation(cancellationToken))
        {
            yield return new ListedObject(entry.Name, (long)(entry.Size ?? 0), entry.ETag ?? entry.Generation?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", entry.UpdatedDateTimeOffset ?? default);
        }
    }

    public override async Task<OpenedObject> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var described = await client.GetObjectAsync(bucket, key, cancellationToken: cancellationToken);
        var facts = Facts(described);

        // The generation read is the one downloaded, so the facts and the bytes are of one version.
        var pushed = PushedContent.Start(
            (stream, token) => client.DownloadObjectAsync(bucket, key, stream, new DownloadObjectOptions { Generation = described.Generation }, token),
            cancellationToken);
        return new OpenedObject(facts, pushed.Content, pushed);
    }

    public override async Task<ObjectFacts?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return Facts(await client.GetObjectAsync(bucket, key, cancellationToken: cancellationToken));
        }
        catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public override async Task<WrittenObject> WriteAsync(string key, Stream content, ObjectFacts facts, CancellationToken cancellationToken)
    {
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        await using var counted = new SizedStream(content, facts.Size, whole);
        var written = await client.UploadObjectAsync(
            new Google.Apis.Storage.v1.Data.Object
            {
                Bucket = bucket,
                Name = key,
                ContentType = facts.ContentType,
                Metadata = facts.Metadata.Count > 0 ? new Dictionary<string, string>(facts.Metadata) : null,
            },
            counted,
            new UploadObjectOptions { ChunkSize = PartSize },
            cancellationToken);
        await counted.EnsureWholeAsync(cancellationToken);
        var md5 = Convert.ToBase64String(whole.GetHashAndReset());
        if (written.Md5Hash != md5)
        {
            throw new VerificationException($"Cloud Storage answered md5Hash {written.Md5Hash ?? "(none)"} for '{key}' where the bytes sent give {md5}");
        }

        return new WrittenObject(md5, "Cloud Storage md5Hash");
    }

    private static ObjectFacts Facts(Google.Apis.Storage.v1.Data.Object described) =>
        new((long)(described.Size ?? 0), ObjectFacts.ContentTypeOf(described.ContentType), described.Metadata is { } metadata ? new Dictionary<string, string>(metadata) : [], described.Md5Hash);
}
