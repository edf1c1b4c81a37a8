namespace Infrar.Platform;

/// <summary>How <c>infrar serve</c> runs; each setting can also come from configuration (Infrar:…) or INFRAR_… variables.</summary>
internal sealed class PlatformOptions
{
    /// <summary>Where the SQLite database, working directories, local state and key files live.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    /// <summary>A PostgreSQL connection string; when empty, the SQLite file in the data directory is used.</summary>
    public string? Postgres { get; set; }

    /// <summary>The address to listen on; loopback unless asked otherwise.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The OpenTofu (or terraform) binary; found on PATH when empty.</summary>
    public string? Tofu { get; set; }

    /// <summary>How long a claimed job's lease lasts without renewal before another worker treats its owner as dead.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle worker looks for work.</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>This instance's name in job leases and logs.</summary>
    public string InstanceName { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Whether this instance runs jobs; several API-only instances can share one database with a worker.</summary>
    public bool RunWorker { get; set; } = true;

    public string DatabaseFile => Path.Combine(DataDirectory, "infrar.db");

    public string AdminTokenFile => Path.Combine(DataDirectory, "admin-token");

    public string CredentialsKeyFile => Path.Combine(DataDirectory, "credentials.key");

    public string WorkDirectory => Path.Combine(DataDirectory, "work");

    public string StateDirectory => Path.Combine(DataDirectory, "state");

    private static string DefaultDataDirectory() =>
        Environment.GetEnvironmentVariable("INFRAR_DATA") is { Length: > 0 } data
            ? data
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "infrar", "platform");
}
