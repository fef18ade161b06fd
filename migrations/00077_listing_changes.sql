-- +goose Up
-- listing_changes says which contributions changed a sort key or a cell,
-- for the copy of the listing's order that each process keeps in memory
-- (app/query/mirror.go). A row is written by triggers in the transaction of
-- the change, with that transaction's id: a process reads again the rows of
-- every transaction that was not finished when it last read (xid at least
-- the xmin of its snapshot then), so that no change is missed whatever the
-- order in which transactions commit. Rows are deleted after some minutes;
-- a process that has not read for longer reads the whole listing again.
CREATE TABLE listing_changes (
    xid             xid8 NOT NULL DEFAULT pg_current_xact_id(),
    contribution_id bigint NOT NULL
);
CREATE INDEX listing_changes_xid_idx ON listing_changes (xid);
ALTER TABLE listing_changes SET (autovacuum_vacuum_scale_factor = 0.05);

-- +goose StatementBegin
CREATE FUNCTION listing_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO listing_changes (contribution_id) VALUES (OLD.contribution_id);
    ELSE
        INSERT INTO listing_changes (contribution_id) VALUES (NEW.contribution_id);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER listing_inserted AFTER INSERT OR DELETE ON contribution_listing
    FOR EACH ROW EXECUTE FUNCTION listing_changed();
CREATE TRIGGER listing_updated AFTER UPDATE ON contribution_listing
    FOR EACH ROW WHEN ((OLD.cell_id, OLD.created_at, OLD.rnd, OLD.discussion) IS DISTINCT FROM
                       (NEW.cell_id, NEW.created_at, NEW.rnd, NEW.discussion))
    EXECUTE FUNCTION listing_changed();
CREATE TRIGGER counters_supports_changed AFTER UPDATE OF supports ON contribution_counters
    FOR EACH ROW WHEN (OLD.supports IS DISTINCT FROM NEW.supports)
    EXECUTE FUNCTION listing_changed();
