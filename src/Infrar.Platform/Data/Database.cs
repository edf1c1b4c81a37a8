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

/// <summary>
/// Opens connections to the service's database; the one place that knows which dialect it speaks. A connection is
/// waited for at most <see cref="Wait"/> (PostgreSQL: from a pool of a fixed size; SQLite: for the write lock), and
/// a database that cannot give one in time is <see cref="IsUnavailable">unavailable</see>: the API answers 503.
/// </summary>
internal sealed class Database
{
    /// <summary>Connections one instance keeps to PostgreSQL at most, unless told otherwise: see docs/platform.md.</summary>
    public const int DefaultPoolSize = 20;

    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(5);

    /// <summary>How long background work (jobs, batched audit rows) waits for a connection: it has no caller waiting on it.</summary>
    public static readonly TimeSpan BackgroundWait = TimeSpan.FromSeconds(30);

    private readonly string _connectionString;
    private readonly int _busyTimeoutMilliseconds;

    private Database(Dialect dialect, string connectionString, string description, TimeSpan wait)
    {
        Dialect = dialect;
        _connectionString = connectionString;
        Description = description;
        Wait = wait;
        _busyTimeoutMilliseconds = (int)Math.Clamp(wait.TotalMilliseconds, 1, int.MaxValue);
    }

    public Dialect Dialect { get; }

    /// <summary>Where the data lives, without any password: for logs and <c>infrar serve</c>'s banner.</summary>
    public string Description { get; }

    /// <summary>How long a request waits for a connection (or SQLite's write lock) before the database counts as busy.</summary>
    public TimeSpan Wait { get; }

    public static Database Sqlite(string path, TimeSpan? wait = null)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database until the command timeout: this is the wait for the write lock.
            DefaultTimeout = (int)Math.Clamp(Math.Ceiling((wait ?? DefaultWait).TotalSeconds), 1, 3600),
        };
        return new Database(Dialect.Sqlite, builder.ToString(), $"SQLite {path}", wait ?? DefaultWait);
    }

    /// <summary>
    /// The same database for background work, with connections of its own (PostgreSQL: a pool of
    /// <paramref name="connections"/>, named infrar-background in pg_stat_activity) and a longer wait: requests
    /// cannot starve running deployments of connections, nor running deployments requests.
    /// </summary>
    public Database ForBackground(int connections)
    {
        if (Dialect == Dialect.Sqlite)
        {
            var sqlite = new SqliteConnectionStringBuilder(_connectionString) { DefaultTimeout = (int)BackgroundWait.TotalSeconds };
            return new Database(Dialect, sqlite.ToString(), Description, BackgroundWait);
        }

        var builder = new NpgsqlConnectionStringBuilder(_connectionString)
        {
            MaxPoolSize = connections,
            MinPoolSize = 0,
            Timeout = (int)BackgroundWait.TotalSeconds,
            ApplicationName = "infrar-background",
        };
        return new Database(Dialect, builder.ConnectionString, $"{Description} + background pool {connections}", BackgroundWait);
    }

    /// <summary>
    /// PostgreSQL with a pool of <paramref name="poolSize"/> connections (which replaces the connection string's
    /// Maximum Pool Size), each waited for at most <paramref name="wait"/>.
    /// </summary>
    public static Database Postgres(string connectionString, int poolSize = DefaultPoolSize, TimeSpan? wait = null)
    {
        var timeout = wait ?? DefaultWait;
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = poolSize,
            MinPoolSize = Math.Min(new NpgsqlConnectionStringBuilder(connectionString).MinPoolSize, poolSize),
            Timeout = (int)Math.Clamp(Math.Ceiling(timeout.TotalSeconds), 1, 1024),
            ApplicationName = new NpgsqlConnectionStringBuilder(connectionString).ApplicationName ?? "infrar",
            // The service keeps no session state (no temporary tables, no SET, advisory locks released where taken):
            // a connection back in the pool needs no DISCARD ALL, a round trip per request saved.
            NoResetOnClose = true,
        };
        return new Database(
            Dialect.Postgres, builder.ConnectionString, $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database} (pool {poolSize})", timeout);
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = Dialect == Dialect.Sqlite ? new SqliteConnection(_connectionString) : new NpgsqlConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (Dialect == Dialect.Sqlite)
            {
                // WAL lets the dashboard read while the worker writes; foreign keys are off in SQLite unless asked for.
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = $"PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {_busyTimeoutMilliseconds};";
                await pragma.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
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

    /// <summary>
    /// Whether an exception means the database could not serve the request in time (no connection from the pool, too
    /// many clients, the server starting or gone, the write lock held): worth a retry, and nothing was written.
    /// </summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        PostgresException postgres => postgres.SqlState.StartsWith("53", StringComparison.Ordinal) // insufficient resources: too many connections
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal) // connection exception
            || postgres.SqlState is PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown,
        NpgsqlException npgsql => npgsql.InnerException is TimeoutException or System.Net.Sockets.SocketException or IOException,
        _ => e.InnerException is { } inner && IsUnavailable(inner),
    };

    public static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
