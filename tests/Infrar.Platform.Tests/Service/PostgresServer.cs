using Infrar.Testing;
using Xunit;

namespace Infrar.Platform.Tests.Service;

/// <summary>The suite's one PostgreSQL server (<see cref="PostgresInstance"/>), shared by the tests of <see cref="PostgresCollection"/>.</summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private PostgresInstance? _instance;

    public string AdminConnectionString => Instance.AdminConnectionString;

    private PostgresInstance Instance => _instance ?? throw new InvalidOperationException("The PostgreSQL server has not started.");

    public async Task InitializeAsync() => _instance = await PostgresInstance.StartAsync();

    /// <summary>A new, empty database on the server, for one test's service.</summary>
    public Task<string> CreateDatabaseAsync() => Instance.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (_instance is not null)
        {
            await _instance.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
