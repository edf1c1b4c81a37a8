-- Infrar.Platform's schema, SQLite dialect. Times are Unix milliseconds (UTC) in both dialects.
CREATE TABLE projects (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE environments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER NOT NULL REFERENCES projects (id),
    name        TEXT    NOT NULL,
    provider    TEXT    NOT NULL,
    region      TEXT,
    protected   INTEGER NOT NULL,
    variables   TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    credentials TEXT,
    credential_names TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE deployments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    environment_id INTEGER NOT NULL REFERENCES environments (id),
    kind           TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    requested_by   TEXT    NOT NULL,
    approved_by    TEXT,
    infra          TEXT    NOT NULL,
    manifest       TEXT,
    plan_json      TEXT,
    plan_file      TEXT,
    plan_adds      INTEGER,
    plan_changes   INTEGER,
    plan_destroys  INTEGER,
    failure        TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE INDEX deployments_by_environment ON deployments (environment_id, id);

CREATE TABLE deployment_transitions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id INTEGER NOT NULL REFERENCES deployments (id),
    from_status   TEXT    NOT NULL,
    to_status     TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    at            INTEGER NOT NULL
);

CREATE TABLE deployment_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id INTEGER NOT NULL REFERENCES deployments (id),
    line          TEXT    NOT NULL,
    at            INTEGER NOT NULL
);

CREATE INDEX deployment_log_by_deployment ON deployment_log (deployment_id, id);

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    deployment_id INTEGER NOT NULL REFERENCES deployments (id),
    step          TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    owner         TEXT,
    lease_until   INTEGER,
    created_at    INTEGER NOT NULL
);

CREATE INDEX jobs_by_state ON jobs (state, id);

CREATE TABLE environment_locks (
    environment_id INTEGER PRIMARY KEY REFERENCES environments (id),
    deployment_id  INTEGER NOT NULL REFERENCES deployments (id),
    acquired_at    INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    role       TEXT    NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    outcome TEXT    NOT NULL
);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
