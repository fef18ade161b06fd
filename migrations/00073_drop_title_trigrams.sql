-- +goose Up
-- The contributions like a title being typed now come from the search
-- engine. The trigram index on titles served that query only: at 1,000,000
-- contributions the query read hundreds of thousands of rows (two seconds,
-- then its timeout, for every pause in the typing of an anonymous visitor),
-- and the index cost every new or edited title a write.
DROP INDEX IF EXISTS contributions_title_trgm_idx;
