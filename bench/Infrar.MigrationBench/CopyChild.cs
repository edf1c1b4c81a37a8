using System.Globalization;
using System.Text.Json;
using Infrar.Platform.Data;
using Infrar.Platform.Migrations;

namespace Infrar.MigrationBench;

/// <summary>
/// The service's copy in a process of its own: a SQLite database with one migration, the source listed into it as the
/// planning step does, then the copy engine with its bookkeeping, as the worker runs it.
/// </summary>
internal static class CopyChild
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (bucket, parallelism, folder, s3Port, azure) = (args[0], int.Parse(args[1], CultureInfo.InvariantCulture), args[2], args[3], args[4]);
        var databaseFile = Path.Combine(folder, $"bench-{Guid.NewGuid():N}.db");
        var database = Database.Sqlite(databaseFile);
        await MigrationRunner.ApplyAsync(database);
        var store = new MigrationStore(database);
        var id = await CreateMigrationAsync(database);
        var manifest = JsonSerializer.Serialize(new
        {
            schemaVersion = 1,
            project = "Bench",
            provider = "aws",
            service = new { name = "bench", port = 8080, cpu = 0.25, memoryMiB = 512, minInstances = 0 },
            resources = new[] { new { kind = "bucket", name = "data", declaredAt = "Program.cs:1", operations = Array.Empty<object>() } },
        });
        var outputs = $$"""{"values":{"bucket_data":"{{bucket}}","storage_account_name":"devstoreaccount1"},"sensitive":[]}""";
        var source = new MigrationSide(
            new EnvironmentRow { Name = "source", Provider = "aws", Region = "us-east-1" },
            new DeploymentRow { Id = 1, Manifest = manifest, Outputs = outputs },
            new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "S3RVER", ["AWS_SECRET_ACCESS_KEY"] = "S3RVER", ["AWS_ENDPOINT_URL_S3"] = $"http://127.0.0.1:{s3Port}" });
        var target = new MigrationSide(
            new EnvironmentRow { Name = "target", Provider = "azure" },
            new DeploymentRow { Id = 2, Manifest = manifest, Outputs = outputs },
            new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = azure });
        Task Log(string line)
        {
            Console.Error.WriteLine(line);
            return Task.CompletedTask;
        }

        await MigrationPlanner.ListAsync(store, id, 1, source, Log, CancellationToken.None);
        var copied = await new CopyEngine(store, source, target, parallelism, Log).RunAsync(id, CancellationToken.None);
        var progress = await store.ProgressAsync(id, CancellationToken.None);
        Console.WriteLine($"copied {copied}; {progress.CopiedObjects} of {progress.Objects} on the target, {progress.FailedObjects} failed");
        return progress.FailedObjects == 0 && progress.CopiedObjects == progress.Objects ? 0 : 1;
    }

    /// <summary>A migration row for the copy's objects to belong to, with the project, environment and deployment it names.</summary>
    private static async Task<long> CreateMigrationAsync(Database database)
    {
        var store = new PlatformStore(database);
        var project = await store.CreateProjectAsync("bench", null, CancellationToken.None);
        var environment = await store.CreateEnvironmentAsync(
            new EnvironmentRow { ProjectId = project.Id, Name = "source", Provider = "aws", Variables = "{}", State = "{}", CredentialNames = "[]" }, null, CancellationToken.None);
        var deployment = await store.CreateDeploymentAsync(environment.Id, "deploy", "{}", null, "bench", CancellationToken.None);
        await using var connection = await database.OpenAsync();
        await using var transaction = await database.BeginWriteAsync(connection);
        var migration = await MigrationStore.InsertAsync(connection, transaction, new MigrationRow
        {
            ProjectId = project.Id,
            SourceEnvironmentId = environment.Id,
            TargetEnvironmentId = environment.Id,
            SourceDeploymentId = deployment.Id,
            RequestedBy = "bench",
        });
        await transaction.CommitAsync();
        return migration.Id;
    }
}
