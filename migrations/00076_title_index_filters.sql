-- +goose Up
-- The index of the titles holds the filters too, as the full-text index
-- does since 00075 (btree_gin). A search ranked by relevance takes its
-- candidates among the first contributions whose title matches, with the
-- filters of the search: with the words alone in the index, PostgreSQL read
-- the title matches in the order of the table and checked each against the
-- filters, computing the words of its title again. At 1,000,000
-- contributions, "outre-mer" among the Hub proposals (which lie in the last
-- sixth of the table) read 186,000 rows before finding 400 (1.7 s); with the
-- filters in the index, 8 ms. Over the 237 queries of bench/queries.txt,
-- each with a random filter, the candidates took 2.2 s in all instead of
-- 3.4 s, the slowest 68 ms instead of 449 ms. Where btree_gin is not
-- installed, the index of 00006 on the words alone stays.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gin') THEN
        RAISE NOTICE 'extension btree_gin not installed: the index of the titles keeps the words only';
        RETURN;
    END IF;
    DROP INDEX IF EXISTS contributions_title_search_idx;
    CREATE INDEX contributions_title_search_idx ON contributions
        USING gin (to_tsvector('fr_unaccent'::regconfig, title), axis_id, entry, author_category, region_id, departement_id, hub_id);
END
$$;
-- +goose StatementEnd
