using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Infrar.Platform.Migrations.Stores;

/// <summary>
/// An S3 bucket through AWSSDK.S3. A write up to <see cref="ObjectStore.PartSize"/> is one PUT with its Content-MD5,
/// which S3 checks, and S3's ETag (the MD5) is compared with the streamed hash; a larger one is a multipart upload of
/// 8 MiB parts, each with its Content-MD5, and the final ETag (the MD5 of the parts' MD5s, then the part count) is
/// compared with the one computed while streaming.
/// </summary>
internal sealed class S3ObjectStore(AmazonS3Client client, string bucket, bool customEndpoint) : ObjectStore
{
    public override string Description => $"aws:s3://{bucket}";

    /// <summary>A client from an environment's credentials: keys, region, and an S3-compatible endpoint when one is given.</summary>
    public static S3ObjectStore Create(IReadOnlyDictionary<string, string> credentials, string region, string bucket)
    {
        var config = new AmazonS3Config { RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region) };
        var endpoint = credentials.GetValueOrDefault("AWS_ENDPOINT_URL_S3") ?? credentials.GetValueOrDefault("AWS_ENDPOINT_URL");
        if (!string.IsNullOrEmpty(endpoint))
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = true;

            // S3-compatible servers seldom read the SDK's default CRC trailers; the Content-MD5 of each part is checked instead.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        if (credentials.GetValueOrDefault("AWS_ACCESS_KEY_ID") is not { Length: > 0 } keyId ||
            credentials.GetValueOrDefault("AWS_SECRET_ACCESS_KEY") is not { Length: > 0 } secret)
        {
            throw new MigrationInputException("the aws environment has no AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY credentials, which the copy reads and writes S3 with");
        }

        AWSCredentials keys = credentials.GetValueOrDefault("AWS_SESSION_TOKEN") is { Length: > 0 } token
            ? new SessionAWSCredentials(keyId, secret, token)
            : new BasicAWSCredentials(keyId, secret);
        return new S3ObjectStore(new AmazonS3Client(keys, config), bucket, !string.IsNullOrEmpty(endpoint));
    }

    public override async IAsyncEnumerable<ListedObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = bucket };
        do
        {
            var page = await client.ListObjectsV2Async(request, cancellationToken);
            foreach (var entry in page.S3Objects ?? [])
            {
                yield return new ListedObject(entry.Key, entry.Size ?? 0, entry.ETag, new DateTimeOffset(entry.LastModified ?? default, TimeSpan.Zero));
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
        while (request.ContinuationToken is not null);
    }

    public override async Task<OpenedObject> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, cancellationToken);
        var facts = new ObjectFacts(response.ContentLength, ObjectFacts.ContentTypeOf(response.Headers.ContentType), ReadMetadata(response.Metadata), Md5OfETag(response.ETag, response.ServerSideEncryptionMethod));
        return new OpenedObject(facts, response.ResponseStream, new Disposer(response));
    }

    public override async Task<ObjectFacts?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, cancellationToken);
            return new ObjectFacts(response.ContentLength, ObjectFacts.ContentTypeOf(response.Headers.ContentType), ReadMetadata(response.Metadata), Md5OfETag(response.ETag, response.ServerSideEncryptionMethod));
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public override async Task<WrittenObject> WriteAsync(string key, Stream content, ObjectFacts facts, CancellationToken cancellationToken)
    {
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        if (facts.Size <= PartSize)
        {
            using var part = await ReadPartAsync(content, (int)facts.Size, whole, cancellationToken);
            await EnsureEndedAsync(content, cancellationToken);
            var md5 = part.Md5();
            var put = new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = part.AsStream(),
                ContentType = facts.ContentType,
                MD5Digest = Convert.ToBase64String(md5),
                UseChunkEncoding = !customEndpoint,
            };
            AddMetadata(put.Metadata, facts.Metadata);
            var response = await client.PutObjectAsync(put, cancellationToken);
            Confirm(key, response.ETag, Hex(md5));
            return new WrittenObject(Convert.ToBase64String(whole.GetHashAndReset()), "S3 ETag (MD5)");
        }

        var start = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = facts.ContentType };
        AddMetadata(start.Metadata, facts.Metadata);
        var upload = await client.InitiateMultipartUploadAsync(start, cancellationToken);
        try
        {
            var etags = new List<PartETag>();
            using var partHashes = new MemoryStream();
            var number = 1;
            foreach (var length in Parts(facts.Size))
            {
                using var part = await ReadPartAsync(content, length, whole, cancellationToken);
                var md5 = part.Md5();
                partHashes.Write(md5);
                var uploaded = await client.UploadPartAsync(
                    new UploadPartRequest
                    {
                        BucketName = bucket,
                        Key = key,
                        UploadId = upload.UploadId,
                        PartNumber = number,
                        PartSize = part.Length,
                        InputStream = part.AsStream(),
                        MD5Digest = Convert.ToBase64String(md5),
                        UseChunkEncoding = !customEndpoint,
                    },
                    cancellationToken);
                Confirm(key, uploaded.ETag, Hex(md5));
                etags.Add(new PartETag(number++, uploaded.ETag));
            }

            await EnsureEndedAsync(content, cancellationToken);
            var done = await client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartETags = etags },
                cancellationToken);
            // S3 gives a multipart object the MD5 of its parts' MD5s and the part count; S3-compatible servers often the
            // whole content's MD5. Either is checked; each part's MD5 was checked by the server as it arrived.
            var objectMd5 = whole.GetHashAndReset();
            Confirm(key, done.ETag, $"{Hex(MD5.HashData(partHashes.ToArray()))}-{etags.Count}", Hex(objectMd5));
            return new WrittenObject(Convert.ToBase64String(objectMd5), $"S3 ETag of {etags.Count} parts, each part's Content-MD5 checked");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The parts uploaded so far are freed; an abort that fails leaves them to the bucket's lifecycle rule, and the
            // copy's own error is the one reported.
            try
            {
                await client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            }
            catch (AmazonS3Exception)
            {
            }

            throw;
        }
    }

    public override ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Confirm(string key, string etag, params string[] expected)
    {
        if (!expected.Contains(etag.Trim('"'), StringComparer.OrdinalIgnoreCase))
        {
            throw new VerificationException($"S3 answered ETag {etag} for '{key}' where the bytes sent give \"{expected[0]}\"");
        }
    }

    /// <summary>
    /// The MD5 an ETag is, when it is one: an object written in one PUT (or whole), not encrypted with KMS keys, whose
    /// ETags are not MD5s. Null otherwise, and the object is read back to be checked.
    /// </summary>
    private static string? Md5OfETag(string? etag, ServerSideEncryptionMethod? encryption) =>
        encryption != ServerSideEncryptionMethod.AWSKMS && encryption != ServerSideEncryptionMethod.AWSKMSDSSE &&
        etag?.Trim('"') is { Length: 32 } hex && hex.All(Uri.IsHexDigit) ? Convert.ToBase64String(Convert.FromHexString(hex)) : null;

    private static void AddMetadata(MetadataCollection target, IReadOnlyDictionary<string, string> metadata)
    {
        foreach (var (name, value) in metadata)
        {
            target.Add(name, value);
        }
    }

    private static Dictionary<string, string> ReadMetadata(MetadataCollection metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in metadata.Keys)
        {
            result[name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) ? name["x-amz-meta-".Length..] : name] = metadata[name];
        }

        return result;
    }

    private sealed class Disposer(IDisposable response) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            response.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
