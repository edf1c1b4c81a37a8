-- Several instances under load (issue 14), SQLite dialect.

-- The answer to each request that started work with an Idempotency-Key, kept for a day: a retry with the same key gets
-- it back instead of starting the work again.
CREATE TABLE idempotency_keys (
    actor           TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    request_hash    TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    location        TEXT,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (actor, idempotency_key)
);

CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- What every instance sharing the database must agree on, such as a check that their credentials keys are one key.
CREATE TABLE service_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Rows of requests that changed nothing are written in batches, after rows written with later changes: the log is
-- read in the order the requests were made.
CREATE INDEX audit_log_at ON audit_log (at, id);
