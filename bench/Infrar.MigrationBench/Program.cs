using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Storage.Blobs;
using Infrar.MigrationBench;
using Infrar.Testing;

// dotnet run -c Release --project bench/Infrar.MigrationBench                        the full run (docs/benchmarks.md, section 6)
// dotnet bench/Infrar.MigrationBench/bin/Debug/net10.0/Infrar.MigrationBench.dll --smoke   what CI runs: every case, tiny, measuring nothing
//
// A migration's copy (the service's CopyEngine, with its database bookkeeping) and rclone copy, one after the other on
// the same pair: s3rver as the source, Azurite as the target, each case into an emptied container. Each engine runs in
// a process of its own, whose peak resident memory (VmHWM) is read from /proc while it runs.
if (args is ["--child", ..])
{
    return await CopyChild.RunAsync(args[1..]);
}

var smoke = args.Contains("--smoke");
var cases = smoke
    ? new[] { new Case("small", 40, 1024, 4096), new Case("large", 2, 9 << 20, 9 << 20) }
    : [new Case("small", 10_000, 1024, 4096), new Case("large", 20, 64 << 20, 64 << 20)];
const int Parallelism = 8;
var root = Directory.CreateTempSubdirectory("infrar-migrationbench-");
var report = new StringBuilder();
try
{
    var s3Port = FreePort.Next();
    var azurePort = FreePort.Next();
    var s3Folder = Directory.CreateDirectory(Path.Combine(root.FullName, "s3rver")).FullName;
    using var s3rver = await NodeEmulator.StartAsync("s3rver", "start-s3rver.cjs", s3Port, [s3Port.ToString(CultureInfo.InvariantCulture), s3Folder, .. cases.Select(c => c.Bucket)]);
    using var azurite = await NodeEmulator.StartAsync(
        "Azurite", "node_modules/azurite/dist/src/blob/main.js", azurePort,
        "--blobHost", "127.0.0.1", "--blobPort", azurePort.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--silent", "--skipApiVersionCheck");
    var pair = new Pair(s3Port, EmulatorClients.AzuriteConnectionString(azurePort), azurePort);

    report.AppendLine(CultureInfo.InvariantCulture, $"## A migration's copy beside rclone {RcloneVersion()} (s3rver → Azurite, {Parallelism} transfers at once)");
    report.AppendLine();
    report.AppendLine("| case | objects | bytes | engine | time | objects/s | MiB/s | peak memory | throughput vs rclone |");
    report.AppendLine("|---|---:|---:|---|---:|---:|---:|---:|---:|");
    foreach (var size in cases)
    {
        var bytes = await SeedAsync(pair, size);
        Console.Error.WriteLine($"{size.Name}: {size.Count} objects seeded");
        Result? rclone = null;
        foreach (var engine in new[] { "rclone", "infrar" })
        {
            await pair.EmptyTargetAsync(size.Bucket);
            var result = engine == "rclone"
                ? await Measure.RunAsync("rclone", ["copy", $"src:{size.Bucket}", $"dst:{size.Bucket}", "--transfers", Parallelism.ToString(CultureInfo.InvariantCulture), "--checkers", Parallelism.ToString(CultureInfo.InvariantCulture)], pair.RcloneEnvironment())
                : await Measure.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Infrar.MigrationBench.dll"), "--child", size.Bucket, Parallelism.ToString(CultureInfo.InvariantCulture), root.FullName, pair.S3Port.ToString(CultureInfo.InvariantCulture), pair.AzureConnectionString], new Dictionary<string, string>());
            var copied = await pair.CountTargetAsync(size.Bucket);
            if (copied != size.Count)
            {
                throw new InvalidOperationException($"{engine} left {copied} of {size.Count} objects in {size.Bucket}:\n{result.Output}");
            }

            rclone ??= result;
            var mib = bytes / 1048576.0 / result.Elapsed.TotalSeconds;
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {size.Name} | {size.Count:N0} | {bytes / 1048576.0:0.#} MiB | {engine}{(engine == "rclone" ? " (baseline)" : "")} | {result.Elapsed.TotalSeconds:0.0} s | {size.Count / result.Elapsed.TotalSeconds:0} | {mib:0.0} | {result.PeakBytes / 1048576.0:0} MiB | {rclone.Elapsed / result.Elapsed:0.00}× |");
            Console.Error.WriteLine($"{size.Name} {engine}: {result.Elapsed.TotalSeconds:0.0} s, peak {result.PeakBytes / 1048576.0:0} MiB");
        }
    }

    Console.WriteLine(report);
    return 0;
}
finally
{
    root.Delete(recursive: true);
}

static async Task<long> SeedAsync(Pair pair, Case size)
{
    using var s3 = pair.S3();
    long total = 0;
    await Parallel.ForEachAsync(Enumerable.Range(0, size.Count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
    {
        var random = new Random(i);
        var content = new byte[random.Next(size.MinBytes, size.MaxBytes + 1)];
        random.NextBytes(content);
        Interlocked.Add(ref total, content.Length);
        var put = new PutObjectRequest { BucketName = size.Bucket, Key = $"objects/{i:d6}.bin", InputStream = new MemoryStream(content), ContentType = "application/octet-stream", UseChunkEncoding = false };
        put.Metadata.Add("index", i.ToString(CultureInfo.InvariantCulture));
        await s3.PutObjectAsync(put, ct);
    });
    return total;
}

static string RcloneVersion()
{
    using var process = Process.Start(new ProcessStartInfo("rclone", "version") { RedirectStandardOutput = true })
        ?? throw new InvalidOperationException("rclone is not installed: bash eng/install-debian-packages.sh installs Debian's rclone.");
    var first = process.StandardOutput.ReadLine() ?? "";
    process.WaitForExit();
    return first.Replace("rclone ", "", StringComparison.Ordinal);
}

/// <summary>One case: how many objects, of which sizes, in a bucket of its own.</summary>
internal sealed record Case(string Name, int Count, int MinBytes, int MaxBytes)
{
    public string Bucket => "bench-" + Name;
}

/// <summary>The source and the target: s3rver and Azurite on loopback ports.</summary>
internal sealed record Pair(int S3Port, string AzureConnectionString, int AzurePort)
{
    public AmazonS3Client S3() => EmulatorClients.S3rver(S3Port);

    public async Task EmptyTargetAsync(string container)
    {
        var client = new BlobContainerClient(AzureConnectionString, container);
        await client.DeleteIfExistsAsync();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.CreateAsync();
                return;
            }
            catch (Azure.RequestFailedException e) when (e.Status == 409 && attempt < 50)
            {
                // Azurite deletes a container in the background, as Azure does.
                await Task.Delay(100);
            }
        }
    }

    public async Task<int> CountTargetAsync(string container)
    {
        var count = 0;
        await foreach (var _ in new BlobContainerClient(AzureConnectionString, container).GetBlobsAsync())
        {
            count++;
        }

        return count;
    }

    /// <summary>rclone's remotes from its environment variables: src (S3-compatible) and dst (Azure Blob).</summary>
    public Dictionary<string, string> RcloneEnvironment() => new()
    {
        ["RCLONE_CONFIG_SRC_TYPE"] = "s3",
        ["RCLONE_CONFIG_SRC_PROVIDER"] = "Other",
        ["RCLONE_CONFIG_SRC_ENDPOINT"] = $"http://127.0.0.1:{S3Port}",
        ["RCLONE_CONFIG_SRC_ACCESS_KEY_ID"] = "S3RVER",
        ["RCLONE_CONFIG_SRC_SECRET_ACCESS_KEY"] = "S3RVER",
        ["RCLONE_CONFIG_SRC_FORCE_PATH_STYLE"] = "true",
        ["RCLONE_CONFIG_DST_TYPE"] = "azureblob",

        // rclone 1.60 takes a custom Blob endpoint only as an account SAS URL.
        ["RCLONE_CONFIG_DST_SAS_URL"] = new BlobServiceClient(AzureConnectionString)
            .GenerateAccountSasUri(Azure.Storage.Sas.AccountSasPermissions.All, DateTimeOffset.UtcNow.AddHours(6), Azure.Storage.Sas.AccountSasResourceTypes.All)
            .ToString(),
    };
}
