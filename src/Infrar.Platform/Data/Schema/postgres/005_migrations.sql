-- Migrations of an app and its data from one environment to another (issue 16), PostgreSQL dialect.

-- One migration: where from and to, the deployments it works from, its plan (JSON) and where it is. The worker that
-- runs a step holds a lease on the migration, as on a deployment's job, so a dead worker's step is taken up again.
CREATE TABLE migrations (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id            bigint NOT NULL REFERENCES projects (id),
    source_environment_id bigint NOT NULL REFERENCES environments (id),
    target_environment_id bigint NOT NULL REFERENCES environments (id),
    source_deployment_id  bigint NOT NULL REFERENCES deployments (id),
    target_deployment_id  bigint REFERENCES deployments (id),
    target_infra          text,
    target_manifest       text,
    status                text   NOT NULL,
    pass                  bigint NOT NULL,
    listed                bigint NOT NULL,
    cleanup_deployment_id bigint REFERENCES deployments (id),
    requested_by          text   NOT NULL,
    approved_by           text,
    plan                  text,
    failure               text,
    owner                 text,
    lease_until           bigint,
    cut_over_at           bigint,
    created_at            bigint NOT NULL,
    updated_at            bigint NOT NULL
);

CREATE INDEX migrations_by_status ON migrations (status, id);

CREATE TABLE migration_transitions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration_id bigint NOT NULL REFERENCES migrations (id),
    from_status  text   NOT NULL,
    to_status    text   NOT NULL,
    actor        text   NOT NULL,
    at           bigint NOT NULL
);

CREATE TABLE migration_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration_id bigint NOT NULL REFERENCES migrations (id),
    line         text   NOT NULL,
    at           bigint NOT NULL
);

CREATE INDEX migration_log_by_migration ON migration_log (migration_id, id);

-- Every object the migration copies, one row each: listed from the source (with the ETag and size it had), then
-- copied (the MD5 of the bytes streamed, and how the target confirmed them). A row is marked copied only after the
-- target confirmed it, so after a crash the rows still 'copying' are the only objects whose copy may be half done.
-- pass is the pass that last found the object new or changed; listed_pass the last pass that listed it at all (an
-- object a catch-up pass did not list was deleted from the source).
CREATE TABLE migration_objects (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    migration_id bigint NOT NULL REFERENCES migrations (id),
    bucket       text   NOT NULL,
    object_key   text   NOT NULL,
    size         bigint NOT NULL,
    source_etag  text   NOT NULL,
    modified_at  bigint NOT NULL,
    pass         bigint NOT NULL,
    listed_pass  bigint NOT NULL,
    state        text   NOT NULL,
    md5          text,
    verified_by  text,
    attempts     bigint NOT NULL DEFAULT 0,
    error        text,
    copied_at    bigint,
    UNIQUE (migration_id, bucket, object_key)
);

CREATE INDEX migration_objects_by_state ON migration_objects (migration_id, state, id);
