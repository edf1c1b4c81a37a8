using System;
using System.IO;
using System.Threading.Tasks;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Corpus.Blob;

/// <summary>
/// In the shape of Blob Storage's .NET quickstart: a container made under a unique name, a file uploaded, the container
/// listed, the blob downloaded beside the file, the container deleted.
/// </summary>
public static class Quickstart
{
    public static async Task RunAsync(string connectionString, string work, TextWriter log)
    {
        var blobServiceClient = new BlobServiceClient(connectionString);
        string containerName = "quickstartblobs" + Guid.NewGuid().ToString();
        BlobContainerClient containerClient = await blobServiceClient.CreateBlobContainerAsync(containerName);

        string fileName = "quickstart" + Guid.NewGuid().ToString() + ".txt";
        string localFilePath = Path.Combine(work, fileName);
        await File.WriteAllTextAsync(localFilePath, "Hello, World!");

        BlobClient blobClient = containerClient.GetBlobClient(fileName);
        log.WriteLine("Uploading to Blob storage as blob");
        await blobClient.UploadAsync(localFilePath, true);

        await foreach (BlobItem blobItem in containerClient.GetBlobsAsync())
        {
            log.WriteLine("\t" + blobItem.Name.Length);
        }

        string downloadFilePath = localFilePath.Replace(".txt", "DOWNLOADED.txt");
        await blobClient.DownloadToAsync(downloadFilePath);

        await containerClient.DeleteAsync();
        File.Delete(localFilePath);
        File.Delete(downloadFilePath);
    }
}
