-- Deployments built from source (issue 19).

-- A project's source: its git repository, the app's project in it, which branch deploys to which environment (JSON
-- object), and the secret its push webhooks are signed with (sealed with the credentials key).
CREATE TABLE project_sources (
    project_id     INTEGER PRIMARY KEY REFERENCES projects (id),
    repository     TEXT    NOT NULL,
    app_path       TEXT    NOT NULL,
    branches       TEXT    NOT NULL,
    webhook_secret TEXT,
    updated_at     INTEGER NOT NULL
);

-- What a deployment built from source was built from: the repository, the ref asked for, the commit it resolved to.
ALTER TABLE deployments ADD COLUMN source_repository TEXT;
ALTER TABLE deployments ADD COLUMN source_ref TEXT;
ALTER TABLE deployments ADD COLUMN source_commit TEXT;
