-- +goose Up
-- The lists read the narrow listing and counters tables through index-only
-- scans, which need their pages marked all-visible by VACUUM: supports and
-- discussions change them all day, so autovacuum visits them after a few
-- thousand changes rather than after a fifth of the table (the default).
ALTER TABLE contribution_counters SET (autovacuum_vacuum_scale_factor = 0.005, autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0.01);
ALTER TABLE contribution_listing SET (autovacuum_vacuum_scale_factor = 0.005, autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0.01);
ALTER TABLE contribution_cells SET (autovacuum_vacuum_scale_factor = 0.05);
