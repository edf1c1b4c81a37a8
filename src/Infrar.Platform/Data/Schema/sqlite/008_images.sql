-- Images and health (issue 19).

-- Where an environment's app image goes: a JSON object {registry, repository, baseImage, healthPath}, or NULL when
-- the service builds no image for it.
ALTER TABLE environments ADD COLUMN image text;

-- The image a deployment built from source made: the reference it was pushed to, by digest
-- (registry/repository@sha256:…), or the archive it was written to on a local environment without a registry; and
-- its digest.
ALTER TABLE deployments ADD COLUMN image text;
ALTER TABLE deployments ADD COLUMN image_digest text;

-- What the health check after the apply found: JSON {url, healthy, detail, checks, seconds}.
ALTER TABLE deployments ADD COLUMN health text;
