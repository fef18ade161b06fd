-- +goose Up
-- The main part of each contribution's page as visitors who are not signed in
-- see it, rendered in advance (by the web server's page renderer), so that a
-- page read at random among a million costs one primary-key read.
--
-- Every change of what a page shows bumps its version in the transaction of
-- the change (the triggers below); a page is served only while the version it
-- was rendered from is the current one, so it is never staler than the
-- database. The renderer saves a page only if the version it read before
-- reading the contribution is still the current one.
--
-- The main part is kept compressed, as raw deflate blocks that the server
-- joins into its gzip answers (app/web/gzip_page.go). The count of supports
-- is not in it, since it changes at every toggle: main holds the part before
-- the count, then, from byte cut, the part after it (cut is -1 when the page
-- shows no supports: one part). Each part's CRC-32 and size are kept for the
-- answer's trailer.
CREATE TABLE contribution_pages (
    contribution_id bigint PRIMARY KEY REFERENCES contributions(id) ON DELETE CASCADE,
    version bigint NOT NULL DEFAULT 1,
    rendered bigint NOT NULL DEFAULT 0,
    -- what the page was rendered with besides the database rows it reads:
    -- the code's format, the consultation's axes and phase, the reference
    -- data (categories, territories, Hubs); a page rendered with another is
    -- not served.
    render_key text NOT NULL DEFAULT '',
    title text NOT NULL DEFAULT '',
    main bytea NOT NULL DEFAULT '',
    cut integer NOT NULL DEFAULT -1,
    head_crc bigint NOT NULL DEFAULT 0,
    head_size integer NOT NULL DEFAULT 0,
    tail_crc bigint NOT NULL DEFAULT 0,
    tail_size integer NOT NULL DEFAULT 0
);
-- Already compressed: kept in the row, not compressed again.
ALTER TABLE contribution_pages ALTER COLUMN main SET STORAGE MAIN;

-- The pages to render again.
CREATE INDEX contribution_pages_stale_idx ON contribution_pages (contribution_id) WHERE rendered <> version;

-- The key of the last pass of a renderer through every page (one row at
-- most): a server that starts with that key need not read the whole table
-- again to find pages rendered with another.
CREATE TABLE contribution_pages_swept (
    render_key text PRIMARY KEY,
    swept_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO contribution_pages (contribution_id) SELECT id FROM contributions;

-- +goose StatementBegin
CREATE FUNCTION contribution_pages_touch(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE contribution_pages SET version = version + 1 WHERE contribution_id = ANY (ids)
$$;
-- +goose StatementEnd

-- A contribution: its own page, the page of the Hub proposal it reacts to
-- (which lists its reactions), and when a Hub proposal's title or status
-- changes, the pages of the reactions that name it.
-- +goose StatementBegin
CREATE FUNCTION contribution_pages_contributions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO contribution_pages (contribution_id) VALUES (NEW.id);
        IF NEW.reacts_to_id IS NOT NULL THEN
            PERFORM contribution_pages_touch(ARRAY[NEW.reacts_to_id]);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.reacts_to_id IS NOT NULL THEN
            PERFORM contribution_pages_touch(ARRAY[OLD.reacts_to_id]);
        END IF;
        RETURN NULL;
    END IF;
    PERFORM contribution_pages_touch(ARRAY[NEW.id, OLD.reacts_to_id, NEW.reacts_to_id]);
    IF OLD.title IS DISTINCT FROM NEW.title OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.hub_id IS DISTINCT FROM NEW.hub_id THEN
        PERFORM contribution_pages_touch(ARRAY(SELECT id FROM contributions WHERE reacts_to_id = NEW.id));
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER contribution_pages_inserted AFTER INSERT OR DELETE ON contributions
    FOR EACH ROW EXECUTE FUNCTION contribution_pages_contributions();
CREATE TRIGGER contribution_pages_updated AFTER UPDATE ON contributions
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION contribution_pages_contributions();

-- The counts a page shows, but for supports (written at each visit).
-- +goose StatementBegin
CREATE FUNCTION contribution_pages_counters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM contribution_pages_touch(ARRAY[NEW.contribution_id]);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER contribution_pages_counted AFTER UPDATE ON contribution_counters
    FOR EACH ROW WHEN ((OLD.reactions_soutient, OLD.reactions_complete, OLD.reactions_nuance, OLD.reactions_conteste,
        OLD.arguments_pour, OLD.arguments_contre, OLD.arguments_neutre)
        IS DISTINCT FROM (NEW.reactions_soutient, NEW.reactions_complete, NEW.reactions_nuance, NEW.reactions_conteste,
        NEW.arguments_pour, NEW.arguments_contre, NEW.arguments_neutre))
    EXECUTE FUNCTION contribution_pages_counters();

-- Arguments, official answers and assisted contributions: the page of their
-- contribution (and, for an assisted reaction, of the proposal that lists it).
-- +goose StatementBegin
CREATE FUNCTION contribution_pages_of_contribution() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        ids := ids || OLD.contribution_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        ids := ids || NEW.contribution_id;
    END IF;
    IF TG_TABLE_NAME = 'assisted_contributions' THEN
        ids := ids || ARRAY(SELECT reacts_to_id FROM contributions WHERE id = ANY (ids) AND reacts_to_id IS NOT NULL);
    END IF;
    PERFORM contribution_pages_touch(ids);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER contribution_pages_arguments AFTER INSERT OR UPDATE OR DELETE ON arguments
    FOR EACH ROW EXECUTE FUNCTION contribution_pages_of_contribution();
CREATE TRIGGER contribution_pages_answers AFTER INSERT OR UPDATE OR DELETE ON official_answers
    FOR EACH ROW EXECUTE FUNCTION contribution_pages_of_contribution();
CREATE TRIGGER contribution_pages_assisted AFTER INSERT OR UPDATE OR DELETE ON assisted_contributions
    FOR EACH ROW EXECUTE FUNCTION contribution_pages_of_contribution();

-- A person's name: the pages of their contributions, of the proposals their
-- reactions answer, and of the contributions they argued on.
-- +goose StatementBegin
CREATE FUNCTION contribution_pages_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM contribution_pages_touch(ARRAY(
        SELECT id FROM contributions WHERE author_id = OLD.id
        UNION SELECT reacts_to_id FROM contributions WHERE author_id = OLD.id AND reacts_to_id IS NOT NULL
        UNION SELECT contribution_id FROM arguments WHERE author_id = OLD.id));
    RETURN OLD; -- before a deletion, so that the rows still name the person
END
$$;
-- +goose StatementEnd

CREATE TRIGGER contribution_pages_users AFTER UPDATE OF display_name ON users
    FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name) EXECUTE FUNCTION contribution_pages_users();
CREATE TRIGGER contribution_pages_users_deleted BEFORE DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION contribution_pages_users();

-- The label of a person helped by a médiateur, shown on the contributions
-- written with them until they claim them.
-- +goose StatementBegin
CREATE FUNCTION contribution_pages_people() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM contribution_pages_touch(ARRAY(
        SELECT a.contribution_id FROM assisted_contributions a WHERE a.person_id = NEW.id
        UNION SELECT c.reacts_to_id FROM assisted_contributions a JOIN contributions c ON c.id = a.contribution_id
            WHERE a.person_id = NEW.id AND c.reacts_to_id IS NOT NULL));
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER contribution_pages_people AFTER UPDATE OF label ON mediation_people
    FOR EACH ROW WHEN (OLD.label IS DISTINCT FROM NEW.label) EXECUTE FUNCTION contribution_pages_people();
