using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;

namespace Corpus.S3;

/// <summary>
/// A small photo library as a web app's service writes it: streams put with and without a content type, a file up and
/// down through TransferUtility, an album's index as JSON, a thumbnail copied, an original deleted and drafts deleted
/// in one batch, a link shared.
/// </summary>
public sealed class PhotoLibrary(IAmazonS3 s3)
{
    private const string Photos = "photo-library";
    private const string Thumbnails = "photo-thumbnails";

    public static async Task RunAsync(IAmazonS3 s3, string work, TextWriter log)
    {
        var library = new PhotoLibrary(s3);
        var photo = Path.Combine(work, "beach.jpg");
        await File.WriteAllBytesAsync(photo, [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4]);

        await library.AddAsync("2026/beach.jpg", new MemoryStream(await File.ReadAllBytesAsync(photo)), CancellationToken.None);
        await library.AddRawAsync("2026/raw.cr2", new MemoryStream([1, 2, 3]));
        await library.SaveIndexAsync("2026", "[\"beach.jpg\"]");
        await library.ImportAsync(photo);
        await library.ExportAsync("beach.jpg", Path.Combine(work, "exported.jpg"));
        await library.MakeThumbnailAsync("2026/beach.jpg");
        await library.RemoveAsync("2026/raw.cr2");
        await library.AddAsync("2026/draft-1.jpg", new MemoryStream([1]), CancellationToken.None);
        await library.AddAsync("2026/draft-2.jpg", new MemoryStream([2]), CancellationToken.None);
        await library.RemoveAllAsync(["2026/draft-1.jpg", "2026/draft-2.jpg", "2026/never-there.jpg"]);
        log.WriteLine((await library.ShareAsync("2026/beach.jpg")).Length > 0 ? "shared" : "not shared");
    }

    public async Task AddAsync(string key, Stream content, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = Photos,
            Key = key,
            InputStream = content,
        };
        request.Metadata.Add("uploaded-by", "library");
        await s3.PutObjectAsync(request, cancellationToken);
    }

    public async Task AddRawAsync(string key, Stream content)
    {
        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Photos,
            Key = key,
            InputStream = content,
            ContentType = "image/x-canon-cr2",
            AutoCloseStream = true,
        });
    }

    public Task SaveIndexAsync(string album, string json) =>
        s3.PutObjectAsync(new PutObjectRequest { BucketName = Photos, Key = $"{album}/index.json", ContentBody = json });

    public async Task ImportAsync(string path)
    {
        using var transfer = new TransferUtility(s3);
        await transfer.UploadAsync(path, Photos);
    }

    public async Task ExportAsync(string key, string path)
    {
        using var transfer = new TransferUtility(s3);
        await transfer.DownloadAsync(new TransferUtilityDownloadRequest { BucketName = Photos, Key = key, FilePath = path });
    }

    public async Task MakeThumbnailAsync(string key)
    {
        await s3.CopyObjectAsync(Photos, key, Thumbnails, key);
    }

    public async Task RemoveAsync(string key)
    {
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Photos, Key = key });
    }

    public async Task RemoveAllAsync(IEnumerable<string> keys)
    {
        await s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = Photos,
            Objects = keys.Select(key => new KeyVersion { Key = key }).ToList(),
        });
    }

    public async Task<string> ShareAsync(string key) =>
        await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = Photos, Key = key, Expires = DateTime.UtcNow.AddHours(1) });
}
