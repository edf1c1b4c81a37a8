-- Migrations of an app and its data from one environment to another (issue 16), SQLite dialect.

-- One migration: where from and to, the deployments it works from, its plan (JSON) and where it is. The worker that
-- runs a step holds a lease on the migration, as on a deployment's job, so a dead worker's step is taken up again.
CREATE TABLE migrations (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id            INTEGER NOT NULL REFERENCES projects (id),
    source_environment_id INTEGER NOT NULL REFERENCES environments (id),
    target_environment_id INTEGER NOT NULL REFERENCES environments (id),
    source_deployment_id  INTEGER NOT NULL REFERENCES deployments (id),
    target_deployment_id  INTEGER REFERENCES deployments (id),
    target_infra          TEXT,
    target_manifest       TEXT,
    status                TEXT    NOT NULL,
    pass                  INTEGER NOT NULL,
    listed                INTEGER NOT NULL,
    cleanup_deployment_id INTEGER REFERENCES deployments (id),
    requested_by          TEXT    NOT NULL,
    approved_by           TEXT,
    plan                  TEXT,
    failure               TEXT,
    owner                 TEXT,
    lease_until           INTEGER,
    cut_over_at           INTEGER,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);

CREATE INDEX migrations_by_status ON migrations (status, id);

CREATE TABLE migration_transitions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    migration_id INTEGER NOT NULL REFERENCES migrations (id),
    from_status  TEXT    NOT NULL,
    to_status    TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    at           INTEGER NOT NULL
);

CREATE TABLE migration_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    migration_id INTEGER NOT NULL REFERENCES migrations (id),
    line         TEXT    NOT NULL,
    at           INTEGER NOT NULL
);

CREATE INDEX migration_log_by_migration ON migration_log (migration_id, id);

-- Every object the migration copies, one row each: listed from the source (with the ETag and size it had), then
-- copied (the MD5 of the bytes streamed, and how the target confirmed them). A row is marked copied only after the
-- target confirmed it, so after a crash the rows still 'copying' are the only objects whose copy may be half done.
-- pass is the pass that last found the object new or changed; listed_pass the last pass that listed it at all (an
-- object a catch-up pass did not list was deleted from the source).
CREATE TABLE migration_objects (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    migration_id INTEGER NOT NULL REFERENCES migrations (id),
    bucket       TEXT    NOT NULL,
    object_key   TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    source_etag  TEXT    NOT NULL,
    modified_at  INTEGER NOT NULL,
    pass         INTEGER NOT NULL,
    listed_pass  INTEGER NOT NULL,
    state        TEXT    NOT NULL,
    md5          TEXT,
    verified_by  TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    copied_at    INTEGER,
    UNIQUE (migration_id, bucket, object_key)
);

CREATE INDEX migration_objects_by_state ON migration_objects (migration_id, state, id);
