-- Sandboxed runs, guardrails, destroy approvals and dashboard sessions (issue 12), SQLite dialect.

-- The process a running job started, so that recovery can make sure it is dead before freeing the environment, and
-- the working copy it used, so that recovery can keep its state and delete it.
ALTER TABLE jobs ADD COLUMN process_id INTEGER;
ALTER TABLE jobs ADD COLUMN process_start INTEGER;
ALTER TABLE jobs ADD COLUMN process_boot TEXT;
ALTER TABLE jobs ADD COLUMN work_dir TEXT;

-- What the guardrails found in the plan (JSON), and the admin's waiver of it.
ALTER TABLE deployments ADD COLUMN violations TEXT;
ALTER TABLE deployments ADD COLUMN waived_by TEXT;
ALTER TABLE deployments ADD COLUMN waiver_reason TEXT;

-- A local environment's OpenTofu state: kept here rather than in a folder, so the sandbox sees only a copy of it.
CREATE TABLE environment_state (
    environment_id INTEGER PRIMARY KEY REFERENCES environments (id),
    state          TEXT    NOT NULL,
    serial         INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

-- Guardrail rules an admin adds to a project or an environment (JSON, docs/platform.md).
CREATE TABLE policies (
    scope      TEXT    NOT NULL,
    scope_id   INTEGER NOT NULL,
    document   TEXT    NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, scope_id)
);

-- A dashboard sign-in: the cookie holds a random session id (stored as its SHA-256), never the API token.
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    session_hash TEXT    NOT NULL UNIQUE,
    token_id     INTEGER NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    csrf         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);

-- Refused anonymous requests are counted, one row per source and minute, so a flood cannot grow the log without bound.
ALTER TABLE audit_log ADD COLUMN requests INTEGER NOT NULL DEFAULT 1;
