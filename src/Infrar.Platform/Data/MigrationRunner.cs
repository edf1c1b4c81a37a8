using System.Data.Common;
using System.Reflection;
using Dapper;

namespace Infrar.Platform.Data;

/// <summary>
/// Applies the embedded SQL migrations in order, each in its own transaction with its row in schema_migrations, so a
/// migration is either wholly applied and recorded or not at all. Several instances starting together on one
/// PostgreSQL database take an advisory lock, so only one migrates.
/// </summary>
internal static class MigrationRunner
{
    private const long AdvisoryLockKey = 0x1AF7A5;

    public static async Task<IReadOnlyList<string>> ApplyAsync(Database database, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (database.Dialect == Dialect.Postgres)
        {
            await connection.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = AdvisoryLockKey });
        }

        try
        {
            await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)");
            var applied = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations")).ToHashSet(StringComparer.Ordinal);
            var done = new List<string>();
            foreach (var (version, sql) in Scripts(database.Dialect))
            {
                if (applied.Contains(version))
                {
                    continue;
                }

                await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
                await connection.ExecuteAsync(sql, transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at)",
                    new { version, at = Database.Now() },
                    transaction);
                await transaction.CommitAsync(cancellationToken);
                done.Add(version);
            }

            return done;
        }
        finally
        {
            if (database.Dialect == Dialect.Postgres)
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = AdvisoryLockKey });
            }
        }
    }

    private static IEnumerable<(string Version, string Sql)> Scripts(Dialect dialect)
    {
        var prefix = $"schema/{(dialect == Dialect.Sqlite ? "sqlite" : "postgres")}/";
        var assembly = Assembly.GetExecutingAssembly();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return (Path.GetFileNameWithoutExtension(name[prefix.Length..]), reader.ReadToEnd());
        }
    }
}
