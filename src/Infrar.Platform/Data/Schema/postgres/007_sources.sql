-- Deployments built from source (issue 19), PostgreSQL dialect.

-- A project's source: its git repository, the app's project in it, which branch deploys to which environment (JSON
-- object), and the secret its push webhooks are signed with (sealed with the credentials key).
CREATE TABLE project_sources (
    project_id     bigint PRIMARY KEY REFERENCES projects (id),
    repository     text   NOT NULL,
    app_path       text   NOT NULL,
    branches       text   NOT NULL,
    webhook_secret text,
    updated_at     bigint NOT NULL
);

-- What a deployment built from source was built from: the repository, the ref asked for, the commit it resolved to.
ALTER TABLE deployments ADD COLUMN source_repository text;
ALTER TABLE deployments ADD COLUMN source_ref text;
ALTER TABLE deployments ADD COLUMN source_commit text;
