-- +goose Up
-- An outbox row says whether only the counters of its contribution changed
-- (a support, a reaction to it, an argument): the engines that derive
-- anything from the text (the PostgreSQL engine's dictionary of known
-- words) skip such documents. Supports are most of the writes: re-reading
-- every supported text cost the database as much as the supports themselves.
ALTER TABLE search_outbox ADD COLUMN counts_only boolean NOT NULL DEFAULT false;

