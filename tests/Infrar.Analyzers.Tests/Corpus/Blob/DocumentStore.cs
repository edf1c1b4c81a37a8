using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Corpus.Blob;

/// <summary>
/// A document store as apps write it on Blob Storage: the container made if missing, letters uploaded with and without
/// overwriting, a report with its content type and metadata, a file, properties and existence read back, a listing by
/// prefix, a download to a file, a delete.
/// </summary>
public static class DocumentStore
{
    private const string ContainerName = "documents";

    public static async Task RunAsync(string connectionString, string work, TextWriter log)
    {
        var service = new BlobServiceClient(connectionString);
        var container = service.GetBlobContainerClient(ContainerName);
        await container.CreateIfNotExistsAsync();

        var welcome = container.GetBlobClient("letters/welcome.txt");
        await welcome.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("welcome")), overwrite: true);
        var farewell = container.GetBlobClient("letters/farewell.txt");
        await farewell.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes("farewell")));

        var report = container.GetBlobClient("reports/q3.csv");
        await report.UploadAsync(
            new MemoryStream(Encoding.UTF8.GetBytes("month,total\njuly,3\n")),
            new BlobHttpHeaders { ContentType = "text/csv" },
            new Dictionary<string, string> { ["quarter"] = "q3" });

        var summary = container.GetBlobClient("reports/summary.json");
        await summary.UploadAsync(
            new MemoryStream(Encoding.UTF8.GetBytes("{\"quarters\":1}")),
            new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                Metadata = new Dictionary<string, string> { ["kind"] = "summary" },
            });

        var notes = Path.Combine(work, "notes.md");
        await File.WriteAllTextAsync(notes, "# notes");
        var file = container.GetBlobClient("files/notes.md");
        await file.UploadAsync(notes, overwrite: true);

        BlobProperties properties = await report.GetPropertiesAsync();
        log.WriteLine($"{properties.ContentType} {properties.ContentLength} {properties.Metadata["quarter"]}");
        if (await welcome.ExistsAsync())
        {
            log.WriteLine("welcome is there");
        }

        await foreach (BlobItem item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = "letters/" }))
        {
            log.WriteLine($"{item.Name} {item.Properties.ContentLength ?? 0}");
        }

        await welcome.DownloadToAsync(Path.Combine(work, "welcome.txt"));
        await container.DeleteBlobIfExistsAsync("files/notes.md");
    }
}
