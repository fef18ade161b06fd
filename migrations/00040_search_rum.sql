-- +goose Up
-- Ranking inside the index for the PostgreSQL search engine (search/postgres_sql.go):
-- a RUM index (extension rum, Debian package postgresql-15-rum) stores the
-- positions of the lexemes, so that "ORDER BY vector <=> query" returns the
-- best matches first without ranking every match. It is built only where the
-- extension can be installed; elsewhere (PostgreSQL binaries without rum, a
-- role that may not create extensions) the GIN index of 00006 stays the only
-- full-text index and the engine ranks a bounded set of candidates.
--
-- The index is on (search_vector || ''::tsvector), the same vector under
-- another expression: only the engine's ranked query, written with that
-- expression, uses it; every other condition "search_vector @@ query" keeps
-- the GIN index, whose bitmap scans are much faster than RUM's.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'rum') THEN
        RAISE NOTICE 'extension rum not available: full-text search keeps the GIN index only';
        RETURN;
    END IF;
    BEGIN
        CREATE EXTENSION IF NOT EXISTS rum;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'extension rum not installed (%): full-text search keeps the GIN index only', SQLERRM;
        RETURN;
    END;
    CREATE INDEX IF NOT EXISTS contributions_search_rum_idx
        ON contributions USING rum ((search_vector || ''::tsvector) rum_tsvector_ops);
END
$$;
-- +goose StatementEnd
