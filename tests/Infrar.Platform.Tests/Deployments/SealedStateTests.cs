using System.Security.Cryptography;
using System.Text;
using Dapper;
using Infrar.Platform.Data;
using Infrar.Platform.Security;
using Xunit;

namespace Infrar.Platform.Tests.Deployments;

/// <summary>
/// OpenTofu state and saved plan files hold the infrastructure's secrets: the service keeps them sealed with the
/// credentials key, bound to their row, and seals at start what an earlier version kept in plain text.
/// </summary>
public sealed class SealedStateTests : IDisposable
{
    private const string Secret = "generated-db-password-3f9a";
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("infrar-sealed-");

    [Fact]
    public async Task State_and_plans_an_earlier_version_kept_in_plain_text_are_sealed_at_start_and_still_read()
    {
        var database = Database.Sqlite(Path.Combine(_root.FullName, "infrar.db"));
        await MigrationRunner.ApplyAsync(database);
        var protector = new CredentialProtector(RandomNumberGenerator.GetBytes(32));
        var store = new PlatformStore(database, protector);
        var project = await store.CreateProjectAsync("p", null, CancellationToken.None);
        var environments = new List<long>();
        foreach (var name in new[] { "a", "b" })
        {
            environments.Add((await store.CreateEnvironmentAsync(
                new EnvironmentRow { ProjectId = project.Id, Name = name, Provider = "local", Variables = "{}", State = "{}", CredentialNames = "[]" }, null, CancellationToken.None)).Id);
        }

        var deployment = await store.CreateDeploymentAsync(environments[0], "deploy", "{}", null, "dana", CancellationToken.None);
        var state = $$$"""{"serial":3,"resources":[{"instances":[{"attributes":{"password":"{{{Secret}}}"}}]}]}""";
        var planFile = Encoding.UTF8.GetBytes("plan " + Secret);
        await using (var connection = await database.OpenAsync())
        {
            // As an earlier version wrote them.
            await connection.ExecuteAsync("INSERT INTO environment_state (environment_id, state, serial, updated_at) VALUES (@id, @state, 3, 0)", new { id = environments[0], state });
            await connection.ExecuteAsync("UPDATE deployments SET plan_file = @planFile WHERE id = @Id", new { planFile = Convert.ToBase64String(planFile), deployment.Id });
        }

        Assert.Equal(state, await store.GetEnvironmentStateAsync(environments[0], CancellationToken.None));
        Assert.Equal(2, await store.SealAtRestAsync(CancellationToken.None));
        Assert.Equal(0, await store.SealAtRestAsync(CancellationToken.None));

        await using (var connection = await database.OpenAsync())
        {
            var rows = string.Join("\n", await connection.QueryAsync<string>("SELECT state FROM environment_state UNION ALL SELECT plan_file FROM deployments"));
            Assert.DoesNotContain(Secret, rows, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(planFile), rows, StringComparison.Ordinal);
        }

        Assert.Equal(state, await store.GetEnvironmentStateAsync(environments[0], CancellationToken.None));
        Assert.Equal(planFile, await store.GetPlanFileAsync(deployment.Id, CancellationToken.None));

        // A sealed state copied into another environment's row does not open there; nor does anything under another key.
        await using (var connection = await database.OpenAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO environment_state (environment_id, state, serial, updated_at) SELECT @other, state, serial, updated_at FROM environment_state WHERE environment_id = @id",
                new { other = environments[1], id = environments[0] });
        }

        await Assert.ThrowsAnyAsync<CryptographicException>(() => store.GetEnvironmentStateAsync(environments[1], CancellationToken.None));
        var otherKey = new PlatformStore(database, new CredentialProtector(RandomNumberGenerator.GetBytes(32)));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => otherKey.GetEnvironmentStateAsync(environments[0], CancellationToken.None));

        // New writes are sealed too, and the newest serial wins as before.
        await store.SaveEnvironmentStateAsync(environments[0], state.Replace("\"serial\":3", "\"serial\":4", StringComparison.Ordinal), 4, CancellationToken.None);
        await store.SaveEnvironmentStateAsync(environments[0], state, 3, CancellationToken.None);
        Assert.Contains("\"serial\":4", await store.GetEnvironmentStateAsync(environments[0], CancellationToken.None), StringComparison.Ordinal);
    }

    public void Dispose() => _root.Delete(recursive: true);
}
