using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Sas;

namespace Corpus.Blob;

/// <summary>
/// A thumbnail service on Blob Storage: images read whole, a missing one caught as a 404, copies within the account,
/// links with a SAS, and cleanup of what a listing finds.
/// </summary>
public static class Thumbnails
{
    public static async Task RunAsync(string connectionString, string work, TextWriter log)
    {
        var images = new BlobContainerClient(connectionString, "images");
        await images.CreateIfNotExistsAsync();
        var original = images.GetBlobClient("cat.png");
        await original.UploadAsync(new BinaryData(new byte[] { 0x89, 0x50, 0x4E, 0x47 }), overwrite: true);

        BlobDownloadResult content = await original.DownloadContentAsync();
        log.WriteLine($"{content.Content.ToArray().Length} bytes");

        try
        {
            await images.GetBlobClient("dog.png").DownloadContentAsync();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            log.WriteLine("no dog");
        }

        var thumbnail = images.GetBlobClient("thumbs/cat.png");
        var copy = await thumbnail.StartCopyFromUriAsync(original.Uri);
        await copy.WaitForCompletionAsync();

        if (original.CanGenerateSasUri)
        {
            var link = original.GenerateSasUri(BlobSasPermissions.Read, DateTimeOffset.UtcNow.AddHours(1));
            log.WriteLine(link.Query.Contains("sig=", StringComparison.Ordinal) ? "signed" : "unsigned");
        }

        await foreach (var page in images.GetBlobsByHierarchyAsync(new GetBlobsByHierarchyOptions { Prefix = "thumbs/", Delimiter = "/" }).AsPages())
        {
            foreach (var item in page.Values)
            {
                if (item.IsBlob && item.Blob.Name.EndsWith(".tmp", StringComparison.Ordinal))
                {
                    await images.DeleteBlobAsync(item.Blob.Name);
                }
            }
        }
    }
}
