-- Infrar.Platform's schema, PostgreSQL dialect. Times are Unix milliseconds (UTC) in both dialects.
CREATE TABLE projects (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text   NOT NULL UNIQUE,
    created_at bigint NOT NULL
);

CREATE TABLE environments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id  bigint  NOT NULL REFERENCES projects (id),
    name        text    NOT NULL,
    provider    text    NOT NULL,
    region      text,
    protected   integer NOT NULL,
    variables   text    NOT NULL,
    state       text    NOT NULL,
    credentials text,
    credential_names text NOT NULL,
    created_at  bigint  NOT NULL,
    UNIQUE (project_id, name)
);

CREATE TABLE deployments (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    environment_id bigint  NOT NULL REFERENCES environments (id),
    kind           text    NOT NULL,
    status         text    NOT NULL,
    requested_by   text    NOT NULL,
    approved_by    text,
    infra          text    NOT NULL,
    manifest       text,
    plan_json      text,
    plan_file      text,
    plan_adds      integer,
    plan_changes   integer,
    plan_destroys  integer,
    failure        text,
    created_at     bigint  NOT NULL,
    updated_at     bigint  NOT NULL
);

CREATE INDEX deployments_by_environment ON deployments (environment_id, id);

CREATE TABLE deployment_transitions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deployment_id bigint NOT NULL REFERENCES deployments (id),
    from_status   text   NOT NULL,
    to_status     text   NOT NULL,
    actor         text   NOT NULL,
    at            bigint NOT NULL
);

CREATE TABLE deployment_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deployment_id bigint NOT NULL REFERENCES deployments (id),
    line          text   NOT NULL,
    at            bigint NOT NULL
);

CREATE INDEX deployment_log_by_deployment ON deployment_log (deployment_id, id);

CREATE TABLE jobs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deployment_id bigint NOT NULL REFERENCES deployments (id),
    step          text   NOT NULL,
    state         text   NOT NULL,
    owner         text,
    lease_until   bigint,
    created_at    bigint NOT NULL
);

CREATE INDEX jobs_by_state ON jobs (state, id);

CREATE TABLE environment_locks (
    environment_id bigint PRIMARY KEY REFERENCES environments (id),
    deployment_id  bigint NOT NULL REFERENCES deployments (id),
    acquired_at    bigint NOT NULL
);

CREATE TABLE api_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text   NOT NULL UNIQUE,
    role       text   NOT NULL,
    token_hash text   NOT NULL UNIQUE,
    created_at bigint NOT NULL
);

CREATE TABLE audit_log (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      bigint NOT NULL,
    actor   text   NOT NULL,
    action  text   NOT NULL,
    target  text   NOT NULL,
    outcome text   NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
