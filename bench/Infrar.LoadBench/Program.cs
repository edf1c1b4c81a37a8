using System.Globalization;
using System.Text;
using Infrar.LoadBench;
using Infrar.Testing;

// dotnet run -c Release --project bench/Infrar.LoadBench                      the full run (docs/benchmarks.md, section 5)
// dotnet bench/Infrar.LoadBench/bin/Debug/net10.0/Infrar.LoadBench.dll --smoke   what CI runs: every case, tiny, measuring nothing
//
// Each figure comes with its baseline from the same run: SQLite with one instance for the read mix and the burst, one
// job per instance for the jobs. The machine is shared and noisy; compare within a run, not across runs.
var smoke = args.Contains("--smoke");
var size = smoke
    ? new { Readers = 8, ReadFor = TimeSpan.FromSeconds(1), Submissions = 10, Environments = 5, Apply = TimeSpan.FromMilliseconds(50), JobEnvironments = 4, JobApply = TimeSpan.FromMilliseconds(200) }
    : new { Readers = 100, ReadFor = TimeSpan.FromSeconds(15), Submissions = 150, Environments = 50, Apply = TimeSpan.FromMilliseconds(100), JobEnvironments = 50, JobApply = TimeSpan.FromSeconds(1) };
var root = Directory.CreateTempSubdirectory("infrar-loadbench-");
var report = new StringBuilder();
try
{
    await using var postgres = await PostgresInstance.StartAsync();

    report.AppendLine(CultureInfo.InvariantCulture, $"## Read mix ({size.Readers} readers, {size.ReadFor.TotalSeconds:0} s) and write burst ({size.Submissions} submissions over {size.Environments} environments, {size.Readers / 2} readers meanwhile)");
    report.AppendLine();
    report.AppendLine("| database | instances | reads/s | p50 | p99 | reads refused (503) | burst answered in | submissions refused (503, then retried) | all deployed in | applied once / twice / never |");
    report.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    var n = 0;
    foreach (var (database, instances) in new[] { ("sqlite", 1), ("sqlite", 2), ("postgres", 1), ("postgres", 2) })
    {
        var connection = database == "postgres" ? await postgres.CreateDatabaseAsync() : null;
        await using var cluster = await Cluster.StartAsync(Path.Combine(root.FullName, $"case-{n++}"), connection, instances, jobs: 4, size.Apply);
        var token = await cluster.TokenAsync("dee", "deployer");
        var environments = await cluster.EnvironmentsAsync(size.Environments);
        var (burst, deployments) = await Load.BurstAsync(cluster, token, environments, size.Submissions, size.Readers / 2, "burst");
        var reads = await Load.ReadAsync(cluster, token, environments, deployments, size.Readers, size.ReadFor);
        if (reads.Failed > 0 || burst.AppliedTwice > 0 || burst.Missing > 0)
        {
            throw new InvalidOperationException($"{database} × {instances}: {reads.Failed} reads failed, {burst.AppliedTwice} submissions applied twice, {burst.Missing} never.");
        }

        report.AppendLine(CultureInfo.InvariantCulture,
            $"| {database}{(n == 1 ? " (baseline)" : "")} | {instances} | {reads.PerSecond:0} | {reads.P50.TotalMilliseconds:0.0} ms | {reads.P99.TotalMilliseconds:0.0} ms | {reads.Refused} | {burst.Answered.TotalSeconds:0.0} s | {burst.Refusals} | {burst.Deployed.TotalSeconds:0.0} s | {burst.AppliedOnce} / {burst.AppliedTwice} / {burst.Missing} |");
        Console.Error.WriteLine($"{database} × {instances}: done");
    }

    report.AppendLine();
    report.AppendLine(CultureInfo.InvariantCulture, $"## Jobs per instance ({size.JobEnvironments} environments, one deployment each, each apply taking {size.JobApply.TotalSeconds:0.##} s; PostgreSQL, one instance)");
    report.AppendLine();
    report.AppendLine("| jobs | all deployed in | speed-up |");
    report.AppendLine("|---:|---:|---:|");
    TimeSpan? baseline = null;
    foreach (var jobs in new[] { 1, 4 })
    {
        await using var cluster = await Cluster.StartAsync(Path.Combine(root.FullName, $"jobs-{jobs}"), await postgres.CreateDatabaseAsync(), 1, jobs, size.JobApply);
        var token = await cluster.TokenAsync("dee", "deployer");
        var environments = await cluster.EnvironmentsAsync(size.JobEnvironments);
        var (burst, _) = await Load.BurstAsync(cluster, token, environments, size.JobEnvironments, readers: 0, $"jobs{jobs}");
        baseline ??= burst.Deployed;
        report.AppendLine(CultureInfo.InvariantCulture,
            $"| {jobs}{(jobs == 1 ? " (baseline)" : "")} | {burst.Deployed.TotalSeconds:0.0} s | {baseline.Value / burst.Deployed:0.00}× |");
        Console.Error.WriteLine($"{jobs} job(s): done");
    }

    Console.WriteLine(report);
    Directory.CreateDirectory("artifacts");
    await File.WriteAllTextAsync(Path.Combine("artifacts", smoke ? "load-bench-smoke.md" : "load-bench.md"), report.ToString());
    return 0;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException or IOException)
{
    Console.Error.WriteLine($"load benchmark failed: {e.Message}");
    return 1;
}
finally
{
    root.Delete(recursive: true);
}
