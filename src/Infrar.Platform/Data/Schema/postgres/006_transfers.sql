-- A migration's buckets above its transfer threshold are copied by the target cloud's transfer service (issue 16),
-- PostgreSQL dialect.

-- The threshold the plan used; the OpenTofu the migration applied for the service (its files, JSON) and the state of
-- what it created (sealed with the credentials key: it holds the source's keys); which pass that job copies and since
-- when. transfer_state is not null while anything created for a transfer may still exist in the cloud.
ALTER TABLE migrations ADD COLUMN transfer_threshold bigint;
ALTER TABLE migrations ADD COLUMN transfer_files text;
ALTER TABLE migrations ADD COLUMN transfer_state text;
ALTER TABLE migrations ADD COLUMN transfer_pass bigint;
ALTER TABLE migrations ADD COLUMN transfer_started bigint;
