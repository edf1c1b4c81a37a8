using System.Data.Common;
using Dapper;
using Infrar.Platform.Deployments;
using Infrar.Platform.Security;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Infrar.Platform.Data;

/// <summary>
/// Every read and write of projects, environments, deployments, logs, tokens and the audit log. Each change that
/// spans rows (a deployment with its first job, a transition with its record) is one transaction, and a request's
/// audit row is written in the transaction of the change it records. A method holds one connection at a time, and
/// after a commit it opens none: once a change is made, nothing between it and the answer can fail on the database.
/// OpenTofu state and saved plans hold the infrastructure's secrets (generated passwords, keys): they are stored
/// sealed with the credentials key, as credentials are, each bound to its row.
/// </summary>
internal sealed class PlatformStore(Database database, CredentialProtector? sealer = null)
{
    static PlatformStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public Database Database => database;

    public async Task<ProjectRow> CreateProjectAsync(string name, AuditRecord? audit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        try
        {
            var project = await connection.QuerySingleAsync<ProjectRow>(
                "INSERT INTO projects (name, created_at) VALUES (@name, @now) RETURNING id, name, created_at",
                new { name, now = Database.Now() },
                transaction);
            await CommitAsync(connection, transaction, audit);
            return project;
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw new ConflictException($"A project named '{name}' already exists.");
        }
    }

    public async Task<IReadOnlyList<ProjectRow>> ListProjectsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<ProjectRow>("SELECT id, name, created_at FROM projects ORDER BY name")];
    }

    public async Task<ProjectRow?> GetProjectAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ProjectRow>("SELECT id, name, created_at FROM projects WHERE id = @id", new { id });
    }

    /// <summary>The project, or a <see cref="NotFoundException"/> naming it.</summary>
    public async Task<ProjectRow> RequireProjectAsync(long id, CancellationToken cancellationToken) =>
        await GetProjectAsync(id, cancellationToken) ?? throw new NotFoundException($"There is no project {id}.");

    /// <summary>The environment, or a <see cref="NotFoundException"/> naming it.</summary>
    public async Task<EnvironmentRow> RequireEnvironmentAsync(long id, CancellationToken cancellationToken) =>
        await GetEnvironmentAsync(id, cancellationToken) ?? throw new NotFoundException($"There is no environment {id}.");

    /// <summary>The deployment, or a <see cref="NotFoundException"/> naming it.</summary>
    public async Task<DeploymentRow> RequireDeploymentAsync(long id, CancellationToken cancellationToken) =>
        await GetDeploymentAsync(id, cancellationToken) ?? throw new NotFoundException($"There is no deployment {id}.");

    public async Task<ProjectRow?> FindProjectAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ProjectRow>("SELECT id, name, created_at FROM projects WHERE name = @name", new { name });
    }

    public async Task<EnvironmentRow> CreateEnvironmentAsync(EnvironmentRow environment, AuditRecord? audit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        try
        {
            environment.CreatedAt = Database.Now();
            environment.Id = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO environments (project_id, name, provider, region, protected, variables, state, credentials, credential_names, image, created_at)
                VALUES (@ProjectId, @Name, @Provider, @Region, @Protected, @Variables, @State, @Credentials, @CredentialNames, @Image, @CreatedAt)
                RETURNING id
                """,
                environment,
                transaction);
            await CommitAsync(connection, transaction, audit);
            return environment;
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw new ConflictException($"The project already has an environment named '{environment.Name}'.");
        }
    }

    public async Task<IReadOnlyList<EnvironmentRow>> ListEnvironmentsAsync(long projectId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<EnvironmentRow>("SELECT * FROM environments WHERE project_id = @projectId ORDER BY name", new { projectId })];
    }

    public async Task<EnvironmentRow?> GetEnvironmentAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<EnvironmentRow>("SELECT * FROM environments WHERE id = @id", new { id });
    }

    /// <summary>Creates a deployment in its first state with the job that starts it, in one transaction.</summary>
    public async Task<DeploymentRow> CreateDeploymentAsync(
        long environmentId, string kind, string infra, string? manifest, string actor, CancellationToken cancellationToken, DeploymentSource? source = null, AuditRecord? audit = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var deployment = await InsertDeploymentAsync(connection, transaction, environmentId, kind, infra, manifest, actor, source);
        await CommitAsync(connection, transaction, audit);
        return deployment;
    }

    /// <summary>The deployments that wait for a person: plans awaiting approval and plans a guardrail refused, oldest first.</summary>
    public async Task<IReadOnlyList<DeploymentRow>> ListWaitingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<DeploymentRow>(DeploymentColumns + " WHERE status IN ('awaiting_approval', 'policy_denied') ORDER BY id LIMIT 200")];
    }

    /// <summary>The deployment with its first transition and the job that starts it, inside the caller's transaction.</summary>
    internal async Task<DeploymentRow> InsertDeploymentAsync(
        DbConnection connection, DbTransaction transaction, long environmentId, string kind, string infra, string? manifest, string actor, DeploymentSource? source = null)
    {
        var status = kind == DeploymentStatus.Destroy ? DeploymentStatus.DestroyQueued : DeploymentStatus.Queued;
        var now = Database.Now();
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO deployments (environment_id, kind, status, requested_by, infra, manifest, source_repository, source_ref, source_commit, created_at, updated_at)
            VALUES (@environmentId, @kind, @status, @actor, @infra, @manifest, @repository, @reference, @commit, @now, @now)
            RETURNING id
            """,
            new { environmentId, kind, status, actor, infra, manifest, repository = source?.Repository, reference = source?.Ref, commit = source?.Commit, now },
            transaction);
        await RecordTransitionAsync(connection, transaction, id, "", status, actor);

        // A deployment from source is built first; its plan follows in the same job, from what the build wrote.
        await EnqueueAsync(connection, transaction, id, source is null ? "plan" : "build");
        return await connection.QuerySingleAsync<DeploymentRow>(DeploymentColumns + " WHERE id = @id", new { id }, transaction);
    }

    /// <summary>
    /// Makes a change once per idempotency key: the first request with a key runs <paramref name="change"/> and keeps its
    /// answer with the key, in the change's transaction; a later one with the same key (and the same request) gets that
    /// answer back and changes nothing, even when the two arrive together on two instances. A key reused for another
    /// request is refused. Without a key the change simply runs. The audit row goes in the same transaction.
    /// </summary>
    public async Task<(StoredAnswer Answer, bool Replayed)> ChangeOnceAsync(
        IdempotentRequest? idempotency, AuditRecord audit, Func<DbConnection, DbTransaction, Task<StoredAnswer>> change, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        if (idempotency is not null)
        {
            var now = Database.Now();
            await connection.ExecuteAsync(
                "DELETE FROM idempotency_keys WHERE created_at < @expired", new { expired = now - (long)IdempotentRequest.Retention.TotalMilliseconds }, transaction);

            // Claims the key; a concurrent claim of the same key waits here until the first commits (then finds it) or rolls back.
            var claimed = await connection.ExecuteAsync(
                """
                INSERT INTO idempotency_keys (actor, idempotency_key, request_hash, status, location, body, created_at)
                VALUES (@Actor, @Key, @RequestHash, 0, NULL, '', @now)
                ON CONFLICT (actor, idempotency_key) DO NOTHING
                """,
                new { idempotency.Actor, idempotency.Key, idempotency.RequestHash, now },
                transaction);
            if (claimed == 0)
            {
                var earlier = await ReadAnswerAsync(connection, transaction, idempotency)
                    ?? throw new ConflictException($"Idempotency-Key '{idempotency.Key}' is being used by a request that has not finished; retry it.");
                await transaction.RollbackAsync(CancellationToken.None);
                return (earlier, true);
            }
        }

        var answer = await change(connection, transaction);
        if (idempotency is not null)
        {
            await connection.ExecuteAsync(
                "UPDATE idempotency_keys SET status = @Status, location = @Location, body = @Body WHERE actor = @actor AND idempotency_key = @key",
                new { answer.Status, answer.Location, answer.Body, actor = idempotency.Actor, key = idempotency.Key },
                transaction);
        }

        audit.Outcome = answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await CommitAsync(connection, transaction, audit);
        return (answer, false);
    }

    /// <summary>The answer an earlier request with this idempotency key got, or null when the key is new.</summary>
    public async Task<StoredAnswer?> FindAnswerAsync(IdempotentRequest idempotency, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await ReadAnswerAsync(connection, null, idempotency);
    }

    private static async Task<StoredAnswer?> ReadAnswerAsync(DbConnection connection, DbTransaction? transaction, IdempotentRequest idempotency)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string RequestHash, long Status, string? Location, string Body, long CreatedAt)>(
            "SELECT request_hash, status, location, body, created_at FROM idempotency_keys WHERE actor = @Actor AND idempotency_key = @Key AND created_at >= @since",
            new { idempotency.Actor, idempotency.Key, since = Database.Now() - (long)IdempotentRequest.Retention.TotalMilliseconds },
            transaction);
        if (row.Body is null)
        {
            return null;
        }

        if (!string.Equals(row.RequestHash, idempotency.RequestHash, StringComparison.Ordinal))
        {
            throw new IdempotencyMismatchException(
                $"Idempotency-Key '{idempotency.Key}' was first used {DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt):u} for a different request; " +
                "send a new key with a new request, and the same key only to retry the same request.");
        }

        return new StoredAnswer((int)row.Status, row.Location, row.Body);
    }

    public async Task<DeploymentRow?> GetDeploymentAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DeploymentRow>(DeploymentColumns + " WHERE id = @id", new { id });
    }

    public async Task<IReadOnlyList<DeploymentRow>> ListDeploymentsAsync(long environmentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<DeploymentRow>(DeploymentColumns + " WHERE environment_id = @environmentId ORDER BY id DESC", new { environmentId })];
    }

    public async Task<IReadOnlyList<TransitionRow>> ListTransitionsAsync(long deploymentId, CancellationToken cancellationToken, long afterId = 0)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<TransitionRow>(
            "SELECT id, from_status, to_status, actor, at FROM deployment_transitions WHERE deployment_id = @deploymentId AND id > @afterId ORDER BY id",
            new { deploymentId, afterId })];
    }

    public async Task<string?> GetPlanAsync(long deploymentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>("SELECT plan_json FROM deployments WHERE id = @deploymentId", new { deploymentId });
    }

    /// <summary>
    /// Moves a deployment to <paramref name="to"/> if the state machine allows it from its current state, with the
    /// transition's record; <paramref name="also"/> runs in the same transaction. Ending states release the
    /// environment's lock.
    /// </summary>
    public async Task<DeploymentRow> TransitionAsync(
        long id,
        string to,
        string actor,
        CancellationToken cancellationToken,
        Func<DbConnection, DbTransaction, DeploymentRow, Task>? also = null,
        string? failure = null,
        AuditRecord? audit = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await MoveAsync(connection, transaction, id, to, actor, failure, also);
        var moved = await ReadDeploymentAsync(connection, transaction, id);
        await CommitAsync(connection, transaction, audit);
        return moved;
    }

    /// <summary>
    /// The move itself, inside the caller's transaction: checked against the state machine, recorded, and on an
    /// ending state the deployment's queued jobs and its environment lock are released.
    /// </summary>
    internal async Task MoveAsync(
        DbConnection connection,
        DbTransaction transaction,
        long id,
        string to,
        string actor,
        string? failure,
        Func<DbConnection, DbTransaction, DeploymentRow, Task>? also = null)
    {
        var deployment = await connection.QuerySingleOrDefaultAsync<DeploymentRow>(
            DeploymentColumns + " WHERE id = @id" + (database.Dialect == Dialect.Postgres ? " FOR UPDATE" : ""), new { id }, transaction)
            ?? throw new NotFoundException($"There is no deployment {id}.");
        DeploymentStatus.EnsureCanMove(id, deployment.Kind, deployment.Status, to);
        Service.Telemetry.Moved(deployment, to);
        await connection.ExecuteAsync(
            "UPDATE deployments SET status = @to, failure = COALESCE(@failure, failure), updated_at = @now WHERE id = @id",
            new { id, to, failure, now = Database.Now() },
            transaction);
        await RecordTransitionAsync(connection, transaction, id, deployment.Status, to, actor);
        if (also is not null)
        {
            await also(connection, transaction, deployment);
        }

        if (DeploymentStatus.IsTerminal(to))
        {
            await connection.ExecuteAsync("DELETE FROM jobs WHERE deployment_id = @id AND state = 'queued'", new { id }, transaction);
            await connection.ExecuteAsync("DELETE FROM environment_locks WHERE deployment_id = @id", new { id }, transaction);
        }
    }

    /// <summary>
    /// Approves a planned deployment or destroy: by someone other than who asked for it. It moves to applying (or
    /// destroying) and its apply is queued.
    /// </summary>
    public async Task<DeploymentRow> ApproveAsync(long id, string approver, CancellationToken cancellationToken, AuditRecord? audit = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var deployment = await LockDeploymentAsync(connection, transaction, id);
        if (deployment.Status == DeploymentStatus.AwaitingApproval && string.Equals(deployment.RequestedBy, approver, StringComparison.Ordinal))
        {
            throw new ForbiddenException($"Deployment {id} was requested by {approver}; another user must approve it.");
        }

        await MoveAsync(connection, transaction, id, DeploymentStatus.Executing(deployment.Kind), approver, failure: null);
        await connection.ExecuteAsync("UPDATE deployments SET approved_by = @approver WHERE id = @id", new { id, approver }, transaction);
        await EnqueueAsync(connection, transaction, id, "apply");
        var approved = await ReadDeploymentAsync(connection, transaction, id);
        await CommitAsync(connection, transaction, audit);
        return approved;
    }

    /// <summary>
    /// An admin's waiver of the guardrails a plan broke, with the reason, audited in the same transaction. The plan
    /// then waits for approval on a protected environment, or is applied.
    /// </summary>
    public async Task<DeploymentRow> WaiveAsync(long id, string admin, string reason, CancellationToken cancellationToken, AuditRecord? audit = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        var deployment = await LockDeploymentAsync(connection, transaction, id);
        var environment = await connection.QuerySingleAsync<EnvironmentRow>("SELECT * FROM environments WHERE id = @EnvironmentId", new { deployment.EnvironmentId }, transaction);
        var next = environment.Protected != 0 ? DeploymentStatus.AwaitingApproval : DeploymentStatus.Executing(deployment.Kind);
        if (deployment.Status != DeploymentStatus.PolicyDenied)
        {
            throw new IllegalTransitionException($"Deployment {id} is {deployment.Status}; only a policy_denied deployment can be waived.");
        }

        await MoveAsync(connection, transaction, id, next, admin, failure: null);
        await connection.ExecuteAsync("UPDATE deployments SET waived_by = @admin, waiver_reason = @reason WHERE id = @id", new { id, admin, reason }, transaction);
        await InsertLogAsync(connection, transaction, id, [$"infrar: {admin} waived the guardrails: {reason}"]);
        if (audit is not null)
        {
            audit.Outcome += " waived: " + reason;
        }
        else
        {
            await InsertAuditAsync(connection, transaction, admin, "deployment.waive", $"deployment/{id}", "waived: " + reason);
        }

        if (next != DeploymentStatus.AwaitingApproval)
        {
            await EnqueueAsync(connection, transaction, id, "apply");
        }

        var waived = await ReadDeploymentAsync(connection, transaction, id);
        await CommitAsync(connection, transaction, audit);
        return waived;
    }

    /// <summary>Stops a plan that broke guardrails: policy_denied, with each violation, holding the environment until waived or cancelled.</summary>
    public Task<DeploymentRow> DenyAsync(long id, string violations, string actor, CancellationToken cancellationToken) =>
        TransitionAsync(id, DeploymentStatus.PolicyDenied, actor, cancellationToken, (connection, transaction, _) =>
            connection.ExecuteAsync("UPDATE deployments SET violations = @violations WHERE id = @id", new { id, violations }, transaction));

    private static Task<DeploymentRow> ReadDeploymentAsync(DbConnection connection, DbTransaction transaction, long id) =>
        connection.QuerySingleAsync<DeploymentRow>(DeploymentColumns + " WHERE id = @id", new { id }, transaction);

    private async Task<DeploymentRow> LockDeploymentAsync(DbConnection connection, DbTransaction transaction, long id) =>
        await connection.QuerySingleOrDefaultAsync<DeploymentRow>(
            DeploymentColumns + " WHERE id = @id" + (database.Dialect == Dialect.Postgres ? " FOR UPDATE" : ""), new { id }, transaction)
        ?? throw new NotFoundException($"There is no deployment {id}.");

    /// <summary>A local environment's OpenTofu state as the last run left it, or null before the first.</summary>
    public async Task<string?> GetEnvironmentStateAsync(long environmentId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var stored = await connection.QuerySingleOrDefaultAsync<string?>("SELECT state FROM environment_state WHERE environment_id = @environmentId", new { environmentId });
        return stored is null || !CredentialProtector.IsSealed(stored)
            ? stored
            : System.Text.Encoding.UTF8.GetString(Sealer.Open(stored, StateContext(environmentId)));
    }

    /// <summary>Keeps a local environment's state; an older serial than the one kept is ignored.</summary>
    public async Task SaveEnvironmentStateAsync(long environmentId, string state, long serial, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            """
            INSERT INTO environment_state (environment_id, state, serial, updated_at) VALUES (@environmentId, @state, @serial, @now)
            ON CONFLICT (environment_id) DO UPDATE SET state = excluded.state, serial = excluded.serial, updated_at = excluded.updated_at
            WHERE environment_state.serial <= excluded.serial
            """,
            new { environmentId, state = Sealer.Seal(System.Text.Encoding.UTF8.GetBytes(state), StateContext(environmentId)), serial, now = Database.Now() });
    }

    /// <summary>
    /// Seals what an earlier version kept in plain text: local environments' state and saved plan files. Run at start;
    /// a row another instance sealed meanwhile is left as it is.
    /// </summary>
    public async Task<int> SealAtRestAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var sealedCount = 0;
        foreach (var (environmentId, state) in await connection.QueryAsync<(long, string)>("SELECT environment_id, state FROM environment_state WHERE state NOT LIKE 'v1:%'"))
        {
            sealedCount += await connection.ExecuteAsync(
                "UPDATE environment_state SET state = @sealed WHERE environment_id = @environmentId AND state = @state",
                new { environmentId, state, @sealed = Sealer.Seal(System.Text.Encoding.UTF8.GetBytes(state), StateContext(environmentId)) });
        }

        foreach (var (id, planFile) in await connection.QueryAsync<(long, string)>("SELECT id, plan_file FROM deployments WHERE plan_file IS NOT NULL AND plan_file NOT LIKE 'v1:%'"))
        {
            sealedCount += await connection.ExecuteAsync(
                "UPDATE deployments SET plan_file = @sealed WHERE id = @id AND plan_file = @planFile",
                new { id, planFile, @sealed = Sealer.Seal(Convert.FromBase64String(planFile), PlanContext(id)) });
        }

        return sealedCount;
    }

    private CredentialProtector Sealer => sealer ?? throw new InvalidOperationException("This store was made without the credentials key, so it may not read or write state or plans.");

    private static string StateContext(long environmentId) => $"environment-state:{environmentId}";

    private static string PlanContext(long deploymentId) => $"plan-file:{deploymentId}";

    /// <summary>The guardrail policy an admin set on a project or an environment, as JSON; null when none.</summary>
    public async Task<string?> GetPolicyAsync(string scope, long scopeId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>("SELECT document FROM policies WHERE scope = @scope AND scope_id = @scopeId", new { scope, scopeId });
    }

    public async Task SetPolicyAsync(string scope, long scopeId, string? document, string actor, CancellationToken cancellationToken, AuditRecord? audit = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        if (document is null)
        {
            await connection.ExecuteAsync("DELETE FROM policies WHERE scope = @scope AND scope_id = @scopeId", new { scope, scopeId }, transaction);
        }
        else
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO policies (scope, scope_id, document, updated_by, updated_at) VALUES (@scope, @scopeId, @document, @actor, @now)
                ON CONFLICT (scope, scope_id) DO UPDATE SET document = excluded.document, updated_by = excluded.updated_by, updated_at = excluded.updated_at
                """,
                new { scope, scopeId, document, actor, now = Database.Now() },
                transaction);
        }

        await CommitAsync(connection, transaction, audit);
    }

    /// <summary>Starts a dashboard session for a token: the cookie's id is stored only as its hash.</summary>
    public async Task CreateSessionAsync(long tokenId, string sessionHash, string csrf, long expiresAt, AuditRecord audit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO sessions (session_hash, token_id, csrf, created_at, expires_at) VALUES (@sessionHash, @tokenId, @csrf, @now, @expiresAt)",
            new { sessionHash, tokenId, csrf, now = Database.Now(), expiresAt },
            transaction);
        await CommitAsync(connection, transaction, audit);
    }

    /// <summary>The live session's token and its form token; null when unknown, expired or its token was revoked.</summary>
    public async Task<(TokenRow Token, string Csrf)?> FindSessionAsync(string sessionHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<TokenRow, string, (TokenRow, string)>(
            """
            SELECT t.id, t.name, t.role, t.token_hash, t.created_at, s.csrf
            FROM sessions s JOIN api_tokens t ON t.id = s.token_id
            WHERE s.session_hash = @sessionHash AND s.expires_at > @now
            """,
            (token, csrf) => (token, csrf),
            new { sessionHash, now = Database.Now() },
            splitOn: "csrf");
        return rows.Cast<(TokenRow, string)?>().FirstOrDefault();
    }

    public async Task DeleteSessionAsync(string sessionHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("DELETE FROM sessions WHERE session_hash = @sessionHash OR expires_at < @now", new { sessionHash, now = Database.Now() });
    }

    /// <summary>Keeps a plan: its JSON and counts for people, and the plan file itself for whichever worker applies it.</summary>
    public async Task SavePlanAsync(long id, string planJson, PlanSummary summary, byte[] planFile, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE deployments SET plan_json = @planJson, plan_file = @planFile, plan_adds = @Adds, plan_changes = @Changes, plan_destroys = @Destroys, updated_at = @now WHERE id = @id",
            new { id, planJson, planFile = Sealer.Seal(planFile, PlanContext(id)), summary.Adds, summary.Changes, summary.Destroys, now = Database.Now() });
    }

    /// <summary>Records what the apply's OpenTofu outputs were (values of sensitive outputs already left out).</summary>
    public async Task SaveOutputsAsync(long id, string outputs, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("UPDATE deployments SET outputs = @outputs, updated_at = @now WHERE id = @id", new { id, outputs, now = Database.Now() });
    }

    public async Task<byte[]?> GetPlanFileAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<string?>("SELECT plan_file FROM deployments WHERE id = @id", new { id }) switch
        {
            null => null,
            var stored when CredentialProtector.IsSealed(stored) => Sealer.Open(stored, PlanContext(id)),
            var legacy => Convert.FromBase64String(legacy),
        };
    }

    public async Task AppendLogAsync(long deploymentId, IReadOnlyList<string> lines, CancellationToken cancellationToken)
    {
        if (lines.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        await InsertLogAsync(connection, transaction, deploymentId, lines);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<LogLine>> ReadLogAsync(long deploymentId, long afterId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<LogLine>(
            "SELECT id, line, at FROM deployment_log WHERE deployment_id = @deploymentId AND id > @afterId ORDER BY id",
            new { deploymentId, afterId })];
    }

    public async Task<TokenRow> CreateTokenAsync(string name, string role, string tokenHash, CancellationToken cancellationToken, AuditRecord? audit = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        try
        {
            var token = await connection.QuerySingleAsync<TokenRow>(
                "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (@name, @role, @tokenHash, @now) RETURNING *",
                new { name, role, tokenHash, now = Database.Now() },
                transaction);
            await CommitAsync(connection, transaction, audit);
            return token;
        }
        catch (DbException e) when (IsUniqueViolation(e))
        {
            throw new ConflictException($"A token named '{name}' already exists.");
        }
    }

    /// <summary>Revokes a token: it stops working at once. False when there is no token of that name.</summary>
    public async Task<bool> DeleteTokenAsync(string name, CancellationToken cancellationToken, AuditRecord? audit = null)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        if (await connection.ExecuteAsync("DELETE FROM api_tokens WHERE name = @name", new { name }, transaction) != 1)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return false;
        }

        await CommitAsync(connection, transaction, audit);
        return true;
    }

    /// <summary>Every token by name and role (never its hash), oldest first.</summary>
    public async Task<IReadOnlyList<TokenRow>> ListTokensAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<TokenRow>("SELECT id, name, role, '' AS token_hash, created_at FROM api_tokens ORDER BY id")];
    }

    public async Task<TokenRow?> FindTokenAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<TokenRow>("SELECT * FROM api_tokens WHERE token_hash = @tokenHash", new { tokenHash });
    }

    public async Task<long> CountTokensAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_tokens");
    }

    public async Task AppendAuditAsync(string actor, string action, string target, string outcome, CancellationToken cancellationToken, int requests = 1)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await InsertAuditAsync(connection, null, actor, action, target, outcome, requests);
    }

    /// <summary>Appends audit rows in one transaction, each with the time of its request.</summary>
    public async Task AppendAuditAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        foreach (var record in records)
        {
            await InsertAuditAsync(connection, transaction, record);
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    /// <summary>A setting the instances sharing the database agree on; null when none has set it.</summary>
    public async Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>("SELECT value FROM service_settings WHERE name = @name", new { name });
    }

    /// <summary>Sets a setting unless an instance set it first; returns the value that holds.</summary>
    public async Task<string> SetSettingOnceAsync(string name, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("INSERT INTO service_settings (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING", new { name, value });
        return await connection.QuerySingleAsync<string>("SELECT value FROM service_settings WHERE name = @name", new { name });
    }

    /// <summary>One environment's sealed credentials, to check that this instance's key opens them; null when none has any.</summary>
    public async Task<EnvironmentRow?> FindEnvironmentWithCredentialsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<EnvironmentRow>("SELECT * FROM environments WHERE credentials IS NOT NULL ORDER BY id LIMIT 1");
    }

    public async Task<IReadOnlyList<AuditRow>> ListAuditAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<AuditRow>("SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT @limit", new { limit })];
    }

    internal static Task InsertLogAsync(DbConnection connection, DbTransaction transaction, long deploymentId, IEnumerable<string> lines)
    {
        var now = Database.Now();
        return connection.ExecuteAsync(
            "INSERT INTO deployment_log (deployment_id, line, at) VALUES (@deploymentId, @line, @now)",
            lines.Select(line => new { deploymentId, line, now }),
            transaction);
    }

    /// <summary>Appends an audit row; each field is cut to a fixed length, so no caller decides how large a row is.</summary>
    internal static Task InsertAuditAsync(DbConnection connection, DbTransaction? transaction, string actor, string action, string target, string outcome, int requests = 1) =>
        connection.ExecuteAsync(
            "INSERT INTO audit_log (at, actor, action, target, outcome, requests) VALUES (@now, @actor, @action, @target, @outcome, @requests)",
            new { now = Database.Now(), actor = Cut(actor, 64), action = Cut(action, 128), target = Cut(target, 256), outcome = Cut(outcome, 512), requests },
            transaction);

    internal static Task InsertAuditAsync(DbConnection connection, DbTransaction? transaction, AuditRecord record) =>
        connection.ExecuteAsync(
            "INSERT INTO audit_log (at, actor, action, target, outcome, requests) VALUES (@At, @actor, @action, @target, @outcome, @Requests)",
            new
            {
                record.At,
                actor = Cut(record.Actor, 64),
                action = Cut(record.Action, 128),
                target = Cut(record.Target, 256),
                outcome = Cut(record.Outcome, 512),
                record.Requests,
            },
            transaction);

    /// <summary>Commits, with the request's audit row when there is one; once committed, the request is accounted for.</summary>
    private static async Task CommitAsync(DbConnection connection, DbTransaction transaction, AuditRecord? audit)
    {
        if (audit is not null)
        {
            await InsertAuditAsync(connection, transaction, audit);
        }

        // Not cancelled by the caller going away: a commit that has begun is seen through.
        await transaction.CommitAsync(CancellationToken.None);
        if (audit is not null)
        {
            audit.Written = true;
        }
    }

    private static string Cut(string value, int length) => value.Length <= length ? value : value[..(length - 1)] + "…";

    internal static Task EnqueueAsync(DbConnection connection, DbTransaction transaction, long deploymentId, string step) =>
        connection.ExecuteAsync(
            "INSERT INTO jobs (deployment_id, step, state, created_at) VALUES (@deploymentId, @step, 'queued', @now)",
            new { deploymentId, step, now = Database.Now() },
            transaction);

    private static Task RecordTransitionAsync(DbConnection connection, DbTransaction transaction, long deploymentId, string from, string to, string actor) =>
        connection.ExecuteAsync(
            "INSERT INTO deployment_transitions (deployment_id, from_status, to_status, actor, at) VALUES (@deploymentId, @from, @to, @actor, @now)",
            new { deploymentId, from, to, actor, now = Database.Now() },
            transaction);

    /// <summary>Records what a build from source produced: the infra and manifest to plan, and the commit it built.</summary>
    public async Task RecordBuildAsync(long deploymentId, string infra, string manifest, string commit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE deployments SET infra = @infra, manifest = @manifest, source_commit = @commit, updated_at = @now WHERE id = @deploymentId",
            new { deploymentId, infra, manifest, commit, now = Database.Now() });
    }

    /// <summary>Records the image a build made: the reference pushed (or archive written) and its digest.</summary>
    public async Task RecordImageAsync(long deploymentId, string image, string digest, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE deployments SET image = @image, image_digest = @digest, updated_at = @now WHERE id = @deploymentId",
            new { deploymentId, image, digest, now = Database.Now() });
    }

    public async Task RecordHealthAsync(long deploymentId, string health, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "UPDATE deployments SET health = @health, updated_at = @now WHERE id = @deploymentId",
            new { deploymentId, health, now = Database.Now() });
    }

    public async Task<ProjectSourceRow?> GetProjectSourceAsync(long projectId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ProjectSourceRow>("SELECT * FROM project_sources WHERE project_id = @projectId", new { projectId });
    }

    /// <summary>Sets a project's source (a null secret keeps the one it has), audited in the same transaction.</summary>
    public async Task<ProjectSourceRow> SetProjectSourceAsync(ProjectSourceRow source, AuditRecord audit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        source.UpdatedAt = Database.Now();
        var updated = await connection.ExecuteAsync(
            """
            UPDATE project_sources SET repository = @Repository, app_path = @AppPath, branches = @Branches,
                   webhook_secret = COALESCE(@WebhookSecret, webhook_secret), updated_at = @UpdatedAt
            WHERE project_id = @ProjectId
            """,
            source,
            transaction);
        if (updated == 0)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO project_sources (project_id, repository, app_path, branches, webhook_secret, updated_at)
                VALUES (@ProjectId, @Repository, @AppPath, @Branches, @WebhookSecret, @UpdatedAt)
                """,
                source,
                transaction);
        }

        var stored = await connection.QuerySingleAsync<ProjectSourceRow>("SELECT * FROM project_sources WHERE project_id = @ProjectId", source, transaction);
        await CommitAsync(connection, transaction, audit);
        return stored;
    }

    private const string DeploymentColumns =
        "SELECT id, environment_id, kind, status, requested_by, approved_by, infra, manifest, plan_adds, plan_changes, plan_destroys, failure, violations, waived_by, waiver_reason, outputs, " +
        "source_repository, source_ref, source_commit, image, image_digest, health, created_at, updated_at FROM deployments";

    private static bool IsUniqueViolation(DbException e) =>
        e is SqliteException { SqliteErrorCode: 19 } || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}

/// <summary>The request names something that does not exist; the API answers 404.</summary>
internal sealed class NotFoundException(string message) : Exception(message);

/// <summary>The request clashes with what exists; the API answers 409.</summary>
internal sealed class ConflictException(string message) : Exception(message);

/// <summary>The caller may not do this; the API answers 403.</summary>
internal sealed class ForbiddenException(string message) : Exception(message);

/// <summary>An Idempotency-Key sent again with another request; the API answers 422.</summary>
internal sealed class IdempotencyMismatchException(string message) : Exception(message);

/// <summary>A request that starts work, by its caller's Idempotency-Key and a hash of what it asks.</summary>
internal sealed record IdempotentRequest(string Actor, string Key, string RequestHash)
{
    /// <summary>How long a key's answer is kept: a retry later than this is a new request.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);
}

/// <summary>The answer a request got, as kept for its retries: status, Location, and the JSON body.</summary>
internal sealed record StoredAnswer(int Status, string? Location, string Body);
