using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Infrar.Platform.Data;

/// <summary>The two databases the service runs on: a SQLite file by default, PostgreSQL when given a connection string.</summary>
internal enum Dialect
{
    Sqlite,
    Postgres,
}

/// <summary>Opens connections to the service's database; the one place that knows which dialect it speaks.</summary>
internal sealed class Database
{
    private readonly string _connectionString;

    private Database(Dialect dialect, string connectionString, string description)
    {
        Dialect = dialect;
        _connectionString = connectionString;
        Description = description;
    }

    public Dialect Dialect { get; }

    /// <summary>Where the data lives, without any password: for logs and <c>infrar serve</c>'s banner.</summary>
    public string Description { get; }

    public static Database Sqlite(string path)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new Database(Dialect.Sqlite, builder.ToString(), $"SQLite {path}");
    }

    public static Database Postgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return new Database(Dialect.Postgres, builder.ConnectionString, $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}");
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = Dialect == Dialect.Sqlite ? new SqliteConnection(_connectionString) : new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        if (Dialect == Dialect.Sqlite)
        {
            // WAL lets the dashboard read while the worker writes; foreign keys are off in SQLite unless asked for.
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        return connection;
    }

    /// <summary>
    /// Begins a transaction that takes the write lock at once: SQLite's BEGIN IMMEDIATE, so that two writers queue
    /// instead of failing halfway; on PostgreSQL rows are locked by the statements themselves.
    /// </summary>
    public async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken = default) =>
        connection is SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: false)
            : await connection.BeginTransactionAsync(cancellationToken);

    /// <summary>"FOR UPDATE SKIP LOCKED" where the database has row locks; SQLite's write transaction already excludes others.</summary>
    public string SkipLocked => Dialect == Dialect.Postgres ? " FOR UPDATE SKIP LOCKED" : "";

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
