-- Sandboxed runs, guardrails, destroy approvals and dashboard sessions (issue 12), PostgreSQL dialect.

-- The process a running job started, so that recovery can make sure it is dead before freeing the environment, and
-- the working copy it used, so that recovery can keep its state and delete it.
ALTER TABLE jobs ADD COLUMN process_id bigint;
ALTER TABLE jobs ADD COLUMN process_start bigint;
ALTER TABLE jobs ADD COLUMN process_boot text;
ALTER TABLE jobs ADD COLUMN work_dir text;

-- What the guardrails found in the plan (JSON), and the admin's waiver of it.
ALTER TABLE deployments ADD COLUMN violations text;
ALTER TABLE deployments ADD COLUMN waived_by text;
ALTER TABLE deployments ADD COLUMN waiver_reason text;

-- A local environment's OpenTofu state: kept here rather than in a folder, so the sandbox sees only a copy of it.
CREATE TABLE environment_state (
    environment_id bigint PRIMARY KEY REFERENCES environments (id),
    state          text   NOT NULL,
    serial         bigint NOT NULL,
    updated_at     bigint NOT NULL
);

-- Guardrail rules an admin adds to a project or an environment (JSON, docs/platform.md).
CREATE TABLE policies (
    scope      text   NOT NULL,
    scope_id   bigint NOT NULL,
    document   text   NOT NULL,
    updated_by text   NOT NULL,
    updated_at bigint NOT NULL,
    PRIMARY KEY (scope, scope_id)
);

-- A dashboard sign-in: the cookie holds a random session id (stored as its SHA-256), never the API token.
CREATE TABLE sessions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_hash text   NOT NULL UNIQUE,
    token_id     bigint NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    csrf         text   NOT NULL,
    created_at   bigint NOT NULL,
    expires_at   bigint NOT NULL
);

-- Refused anonymous requests are counted, one row per source and minute, so a flood cannot grow the log without bound.
ALTER TABLE audit_log ADD COLUMN requests integer NOT NULL DEFAULT 1;
