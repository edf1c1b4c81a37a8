-- What a successful deployment's OpenTofu outputs were (issue 16): the physical names and URLs a migration plans
-- from. A JSON object {"values": {name: value}, "sensitive": [name]}: an output OpenTofu marks sensitive is listed by
-- name only, its value never stored.
ALTER TABLE deployments ADD COLUMN outputs text;
