namespace Infrar.Platform;

/// <summary>
/// How <c>infrar serve</c> runs. Each setting comes from, last winning: its default, the <c>Infrar</c> section of
/// appsettings.json (the current folder's, then the data folder's), an <c>INFRAR__&lt;Name&gt;</c> variable, then the
/// command line's flag (and the older INFRAR_… variables the flags name).
/// </summary>
internal sealed class PlatformOptions
{
    /// <summary>Where the SQLite database, working directories, local state and key files live.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    /// <summary>A PostgreSQL connection string; when empty, the SQLite file in the data directory is used.</summary>
    public string? Postgres { get; set; }

    /// <summary>
    /// The most connections this instance keeps to PostgreSQL. Every instance sharing a server needs its own, so keep
    /// instances × pool size below the server's max_connections, with a few to spare (docs/platform.md, "Under load").
    /// </summary>
    public int DatabasePoolSize { get; set; } = Data.Database.DefaultPoolSize;

    /// <summary>How long a request waits for a database connection (SQLite: for the write lock) before it is answered 503.</summary>
    public TimeSpan DatabaseWait { get; set; } = Data.Database.DefaultWait;

    /// <summary>How many jobs this instance runs at once, each on a different environment.</summary>
    public int Jobs { get; set; } = 4;

    /// <summary>How many objects a migration's copy moves at once (each holds at most one 8 MiB part in memory).</summary>
    public int MigrationParallelism { get; set; } = 8;

    /// <summary>
    /// The size from which a bucket is copied by the target cloud's own transfer service, where one can read the source
    /// (docs/migration.md, "Which engine moves what"); smaller buckets, and every bucket no service can take, are copied by
    /// the service itself. A migration may ask for another threshold.
    /// </summary>
    public long MigrationTransferThreshold { get; set; } = 1L << 40;

    /// <summary>How often a migration checks the target for what a cloud's transfer service has copied.</summary>
    public TimeSpan MigrationTransferPoll { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a cloud's transfer service may take over one pass before the migration stops it and fails.</summary>
    public TimeSpan MigrationTransferTimeout { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Whether a project's repository may be a folder on this machine (a path, or file://) besides https:// and ssh://
    /// URLs: for a single-user service and for tests; a deployer could otherwise build any repository the service can read.
    /// </summary>
    public bool AllowLocalRepositories { get; set; }

    /// <summary>Variables every build from source gets besides its own (a NuGet setting this machine needs, say); none by default.</summary>
    public Dictionary<string, string> BuildEnvironment { get; set; } = [];

    /// <summary>How long a build from source (clone and dotnet build) may take before it is stopped and the deployment fails.</summary>
    public TimeSpan BuildTimeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// Registries (<c>host:port</c>) reached over plain HTTP or with any certificate, for pulling base images and pushing
    /// app images: a registry on this machine or a private network; none by default.
    /// </summary>
    public List<string> InsecureRegistries { get; set; } = [];

    /// <summary>How long after an apply the app's URL may take to answer before the deployment is marked unhealthy.</summary>
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the app's URL is asked while the service waits for it to become healthy.</summary>
    public TimeSpan HealthPoll { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether the health check may ask an app on this machine or a private network; off by default, since the URL comes
    /// from the deployment's own OpenTofu and could otherwise point the service at its own network (a cloud's metadata).
    /// </summary>
    public bool HealthAllowPrivateAddresses { get; set; }

    /// <summary>
    /// Where traces and metrics are sent over OTLP (HTTP/protobuf, as <c>http://collector:4318</c>); when unset, the
    /// standard <c>OTEL_EXPORTER_OTLP_*</c> variables decide, and with neither nothing is exported.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>How often metrics are exported and traces sent in a batch.</summary>
    public TimeSpan TelemetryInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The least level logged; each request is logged at Debug, so <c>debug</c> shows them.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; set; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>How the console log is written: <c>simple</c> (for people) or <c>json</c> (one object a line, for collectors).</summary>
    public string LogFormat { get; set; } = "simple";

    /// <summary>The address to listen on; loopback unless asked otherwise.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The OpenTofu (or terraform) binary; found on PATH when empty.</summary>
    public string? Tofu { get; set; }

    /// <summary>How OpenTofu runs are isolated: <c>bwrap</c> (bubblewrap, the default) or <c>none</c> (only where every deployer is trusted).</summary>
    public string Sandbox { get; set; } = "bwrap";

    /// <summary>The unprivileged UID:GID sandboxed runs use when the service runs as root.</summary>
    public string SandboxUser { get; set; } = "65534:65534";

    /// <summary>Where each run's working copy is made and, when the run ends, deleted: outside the data folder.</summary>
    public string WorkRoot { get; set; } = Path.Combine(Path.GetTempPath(), "infrar-work");

    /// <summary>
    /// The provider plugins runs may use, as a filesystem mirror (<c>tofu providers mirror</c> fills it); runs never
    /// download a provider themselves. Default: <c>providers</c> in the data folder.
    /// </summary>
    public string? ProviderMirror { get; set; }

    /// <summary>Provider sources allowed beyond those the catalog's infrastructure uses (namespace/type).</summary>
    public List<string> AllowedProviders { get; set; } = [];

    /// <summary>How long a claimed job's lease lasts without renewal before another worker treats its owner as dead.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle worker looks for work.</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long refused anonymous requests are counted before their audit row is written.</summary>
    public TimeSpan AnonymousAuditWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many requests one address may make without a valid token in <see cref="AnonymousWindow"/>; the rest get 429.</summary>
    public int AnonymousRequestLimit { get; set; } = 60;

    public TimeSpan AnonymousWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>This instance's name in job leases and logs.</summary>
    public string InstanceName { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Whether this instance runs jobs; several API-only instances can share one database with a worker.</summary>
    public bool RunWorker { get; set; } = true;

    public string DatabaseFile => Path.Combine(DataDirectory, "infrar.db");

    public string AdminTokenFile => Path.Combine(DataDirectory, "admin-token");

    public string CredentialsKeyFile => Path.Combine(DataDirectory, "credentials.key");

    public string ProviderMirrorDirectory => ProviderMirror ?? Path.Combine(DataDirectory, "providers");

    /// <summary>Where earlier versions kept local environments' state; read once, into the database.</summary>
    public string LegacyStateDirectory => Path.Combine(DataDirectory, "state");

    private static string DefaultDataDirectory() =>
        Environment.GetEnvironmentVariable("INFRAR_DATA") is { Length: > 0 } data
            ? data
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "infrar", "platform");
}
