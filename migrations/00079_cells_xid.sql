-- +goose Up
-- contribution_cells.xid is the transaction that last changed a cell. Each
-- process reads again the cells of every transaction that it did not see
-- finished at its last read (as the copy of the listing does with
-- listing_changes): a change committed after a later one is then read at
-- the next poll, where the order of seq only caught it at the next full read
-- (up to 10 s later).
ALTER TABLE contribution_cells ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX contribution_cells_xid_idx ON contribution_cells (xid);

-- +goose StatementBegin
CREATE FUNCTION contribution_cells_xid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.xid := pg_current_xact_id();
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER cells_xid BEFORE UPDATE ON contribution_cells
    FOR EACH ROW EXECUTE FUNCTION contribution_cells_xid();
