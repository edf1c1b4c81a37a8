using System.Diagnostics;
using Npgsql;

namespace Infrar.Testing;

/// <summary>
/// A real PostgreSQL server for tests and benchmarks: the machine's initdb and pg_ctl (Debian's postgresql-15) on a
/// free loopback port, in a throw-away folder. PostgreSQL refuses to run as root, so as root it runs as the postgres
/// user.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PostgresInstance : IAsyncDisposable
{
    private string _folder = "";
    private string _data = "";
    private int _port;

    public string AdminConnectionString => $"Host=127.0.0.1;Port={_port};Username=infrar;Database=postgres;Pooling=false";

    /// <summary>Makes and starts a server; dispose it to stop it and delete its folder.</summary>
    public static async Task<PostgresInstance> StartAsync()
    {
        var instance = new PostgresInstance();
        await instance.InitializeAsync();
        return instance;
    }

    private async Task InitializeAsync()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"infrar-pg-{Guid.NewGuid():N}");
        // Open to the postgres user (the umask would narrow a mode given at creation).
        Directory.CreateDirectory(_folder);
        File.SetUnixFileMode(_folder, (UnixFileMode)0x1FF);
        _data = Path.Combine(_folder, "data");
        _port = FreePort.Next();
        await RunAsync(Binary("initdb"), "-D", _data, "-U", "infrar", "--auth=trust", "-E", "UTF8", "--no-instructions");
        await RunAsync(
            Binary("pg_ctl"), "-D", _data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60",
            "-o", $"-p {_port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
    }

    /// <summary>A new, empty database on the server, for one test's (or one benchmark case's) service.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"infrar_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={_port};Username=infrar;Database={name}";
    }

    public async ValueTask DisposeAsync()
    {
        if (_data.Length > 0 && Directory.Exists(_data))
        {
            await RunAsync(Binary("pg_ctl"), "-D", _data, "-m", "immediate", "-w", "stop");
        }

        if (_folder.Length > 0)
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static string Binary(string name)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/lib/postgresql/15/bin"))
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"{name} is not installed: the PostgreSQL tests need the postgresql-15 package.");
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asRoot)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", program })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}{await error}");
        }
    }
}
