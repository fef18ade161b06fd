-- +goose Up
-- Full-text search in French for the PostgreSQL search engine (search/postgres*.go).

-- fr_unaccent: the French configuration with accents removed before stemming,
-- so that "mediateur", "médiateurs" and "MÉDIATEUR" meet. Tokens with digits
-- ("2024", "france2030", "h-24") are unaccented but not stemmed.
CREATE TEXT SEARCH CONFIGURATION fr_unaccent (COPY = french);
ALTER TEXT SEARCH CONFIGURATION fr_unaccent
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH unaccent, french_stem;
ALTER TEXT SEARCH CONFIGURATION fr_unaccent
    ALTER MAPPING FOR numword, numhword, hword_numpart
    WITH unaccent, simple;

-- fr_words: the same words, unaccented but neither stemmed nor filtered; it
-- feeds the dictionary of known words used to correct typing mistakes.
CREATE TEXT SEARCH CONFIGURATION fr_words (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION fr_words
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part,
                      numword, numhword, hword_numpart
    WITH unaccent, simple;

-- The search document of a contribution: title weighs A, body B.
-- +goose StatementBegin
CREATE FUNCTION contribution_search_vector(title text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('fr_unaccent'::regconfig, title), 'A')
        || setweight(to_tsvector('fr_unaccent'::regconfig, body), 'B')
$$;
-- +goose StatementEnd

-- A stored column kept by a trigger (not a generated column) so that status
-- changes and other updates of the row do not recompute it.
ALTER TABLE contributions ADD COLUMN search_vector tsvector;

-- +goose StatementBegin
CREATE FUNCTION contributions_search_vector_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := contribution_search_vector(NEW.title, NEW.body);
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER contributions_search_vector BEFORE INSERT OR UPDATE OF title, body ON contributions
    FOR EACH ROW EXECUTE FUNCTION contributions_search_vector_update();

UPDATE contributions SET search_vector = contribution_search_vector(title, body);
CREATE INDEX contributions_search_idx ON contributions USING gin (search_vector);

-- Known words (unaccented, lower case, as typed, not stemmed) with the number
-- of contributions using them, to correct a misspelled word of a query
-- ("formaton" → "formation") by trigram similarity. The search worker adds
-- the words of new contributions; `concertation reindex` rebuilds the table
-- with exact counts.
CREATE TABLE search_words (
    word text NOT NULL,
    ndoc int NOT NULL DEFAULT 1,
    CONSTRAINT search_words_pkey PRIMARY KEY (word)
);
CREATE INDEX search_words_trgm_idx ON search_words USING gin (word gin_trgm_ops);
INSERT INTO search_words (word, ndoc)
SELECT word, ndoc FROM ts_stat($$SELECT to_tsvector('fr_words', title || ' ' || body) FROM contributions WHERE status = 'published'$$)
WHERE char_length(word) BETWEEN 3 AND 40 AND word !~ '^[0-9]+$';

-- A rebuild of a search index in progress (`concertation reindex`): the
-- target index, and the last contribution id sent to it, so that an
-- interrupted rebuild resumes where it stopped. While a row exists, the
-- outbox worker writes every change to the target index too.
CREATE TABLE search_reindex (
    engine     text PRIMARY KEY,
    target     text NOT NULL,
    last_id    bigint NOT NULL DEFAULT 0,
    done       bigint NOT NULL DEFAULT 0,
    started_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX search_outbox_next_idx ON search_outbox (next_attempt_at, id);

-- Matches in titles, to pick the candidates ranked by relevance first.
CREATE INDEX contributions_title_search_idx ON contributions USING gin (to_tsvector('fr_unaccent'::regconfig, title));
