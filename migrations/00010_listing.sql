-- +goose Up
-- Counts without scans and lists at any filter and sort (issue: national
-- scale). Three structures, kept exact by triggers in the transaction of
-- every write to contributions and contribution_counters, so that no write
-- path can forget them:
--
-- contribution_cells is the rollup: one row per combination of the filter
-- dimensions and the status, with the number of contributions in it. Any
-- facet, total or statistic of these dimensions is a sum over a few thousand
-- cells; each process keeps a copy in memory, refreshed from seq.
--
-- contribution_listing is the narrow listing table: each contribution's cell
-- and its stable sort keys (date, random rank, discussion), with one index per
-- sort key alone (walked in order when a filter keeps many cells) and one per
-- cell and sort key (read whole then sorted when it keeps few).
--
-- contribution_counters carries the cell too, with the supports sort key.
-- Supports move often: they stay on their own narrow row, whose updates touch
-- three indexes only.
CREATE SEQUENCE contribution_cells_seq;

CREATE TABLE contribution_cells (
    id              serial PRIMARY KEY,
    consultation_id bigint NOT NULL,
    status          text NOT NULL,
    axis_id         bigint NOT NULL,
    entry           text NOT NULL,
    author_category text NOT NULL,
    region_id       bigint NOT NULL, -- 0: none
    departement_id  bigint NOT NULL, -- 0: none
    hub_id          bigint NOT NULL, -- 0: none
    n               int NOT NULL DEFAULT 0 CHECK (n >= 0),
    seq             bigint NOT NULL DEFAULT nextval('contribution_cells_seq'),
    UNIQUE (consultation_id, status, axis_id, entry, author_category, region_id, departement_id, hub_id)
);
CREATE INDEX contribution_cells_seq_idx ON contribution_cells (seq);

CREATE TABLE contribution_listing (
    contribution_id bigint PRIMARY KEY REFERENCES contributions (id) ON DELETE CASCADE,
    cell_id         int NOT NULL REFERENCES contribution_cells (id),
    created_at      timestamptz NOT NULL,
    rnd             int NOT NULL,
    discussion      int NOT NULL DEFAULT 0
);
CREATE INDEX contribution_listing_recent_idx ON contribution_listing (created_at DESC, contribution_id DESC) INCLUDE (cell_id);
CREATE INDEX contribution_listing_cell_recent_idx ON contribution_listing (cell_id, created_at DESC, contribution_id DESC);
CREATE INDEX contribution_listing_random_idx ON contribution_listing (rnd, contribution_id) INCLUDE (cell_id);
CREATE INDEX contribution_listing_cell_random_idx ON contribution_listing (cell_id, rnd, contribution_id);
CREATE INDEX contribution_listing_discussed_idx ON contribution_listing (discussion DESC, contribution_id DESC) INCLUDE (cell_id);
CREATE INDEX contribution_listing_cell_discussed_idx ON contribution_listing (cell_id, discussion DESC, contribution_id DESC);

ALTER TABLE contribution_counters ADD COLUMN cell_id int;
DROP INDEX contribution_counters_supports_idx;
CREATE INDEX contribution_counters_supports_idx ON contribution_counters (supports DESC, contribution_id DESC) INCLUDE (cell_id);
CREATE INDEX contribution_counters_cell_supports_idx ON contribution_counters (cell_id, supports DESC, contribution_id DESC);

-- The "reacts to" facet: Hub proposals from the most reacted-to.
CREATE INDEX contribution_counters_reactions_idx ON contribution_counters
    ((reactions_soutient + reactions_complete + reactions_nuance + reactions_conteste) DESC, contribution_id)
    WHERE (reactions_soutient + reactions_complete + reactions_nuance + reactions_conteste) > 0;

-- Narrow filters that are not cell dimensions: reactions to one Hub
-- proposal, one author's page, and the rapporteurs' date ranges.
CREATE INDEX contributions_created_idx ON contributions (consultation_id, created_at DESC, id DESC);

-- +goose StatementBegin
-- contribution_cell returns the id of the cell of these values, creating it
-- when it is new.
CREATE FUNCTION contribution_cell(p_consultation bigint, p_status text, p_axis bigint, p_entry text, p_category text,
                                  p_region bigint, p_departement bigint, p_hub bigint) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    cell int;
BEGIN
    SELECT id INTO cell FROM contribution_cells
     WHERE consultation_id = p_consultation AND status = p_status AND axis_id = p_axis AND entry = p_entry
       AND author_category = p_category AND region_id = coalesce(p_region, 0)
       AND departement_id = coalesce(p_departement, 0) AND hub_id = coalesce(p_hub, 0);
    IF FOUND THEN
        RETURN cell;
    END IF;
    INSERT INTO contribution_cells (consultation_id, status, axis_id, entry, author_category, region_id, departement_id, hub_id)
    VALUES (p_consultation, p_status, p_axis, p_entry, p_category, coalesce(p_region, 0), coalesce(p_departement, 0), coalesce(p_hub, 0))
    ON CONFLICT DO NOTHING
    RETURNING id INTO cell;
    IF cell IS NULL THEN -- created meanwhile by another transaction
        SELECT id INTO cell FROM contribution_cells
         WHERE consultation_id = p_consultation AND status = p_status AND axis_id = p_axis AND entry = p_entry
           AND author_category = p_category AND region_id = coalesce(p_region, 0)
           AND departement_id = coalesce(p_departement, 0) AND hub_id = coalesce(p_hub, 0);
    END IF;
    RETURN cell;
END;
$$;

-- contribution_cell_add adds delta to the count of cell.
CREATE FUNCTION contribution_cell_add(cell int, delta int) RETURNS void LANGUAGE sql AS $$
    UPDATE contribution_cells SET n = n + delta, seq = nextval('contribution_cells_seq') WHERE id = cell;
$$;

-- contributions_track keeps the cells, the listing and the counters' cell of
-- a contribution when it is published, moved (axis, territory, status...) or
-- deleted. Two cells are always locked in id order, so that two moves never
-- wait for each other.
CREATE FUNCTION contributions_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_cell int;
    new_cell int;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT cell_id INTO old_cell FROM contribution_listing WHERE contribution_id = OLD.id;
    ELSIF TG_OP = 'DELETE' THEN -- the listing row may be gone already (foreign key cascade)
        old_cell := contribution_cell(OLD.consultation_id, OLD.status, OLD.axis_id, OLD.entry, OLD.author_category,
                                      OLD.region_id, OLD.departement_id, OLD.hub_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_cell := contribution_cell(NEW.consultation_id, NEW.status, NEW.axis_id, NEW.entry, NEW.author_category,
                                      NEW.region_id, NEW.departement_id, NEW.hub_id);
    END IF;
    IF old_cell IS NOT DISTINCT FROM new_cell THEN
        RETURN NULL;
    END IF;
    IF old_cell IS NOT NULL AND (new_cell IS NULL OR old_cell < new_cell) THEN
        PERFORM contribution_cell_add(old_cell, -1);
        IF new_cell IS NOT NULL THEN
            PERFORM contribution_cell_add(new_cell, 1);
        END IF;
    ELSE
        PERFORM contribution_cell_add(new_cell, 1);
        IF old_cell IS NOT NULL THEN
            PERFORM contribution_cell_add(old_cell, -1);
        END IF;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO contribution_listing (contribution_id, cell_id, created_at, rnd)
        VALUES (NEW.id, new_cell, NEW.created_at, floor(random() * 2147483647)::int);
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE contribution_listing SET cell_id = new_cell WHERE contribution_id = NEW.id;
        UPDATE contribution_counters SET cell_id = new_cell WHERE contribution_id = NEW.id;
    END IF;
    RETURN NULL;
END;
$$;

-- counters_cell gives a new counters row the cell of its contribution and
-- puts its discussion count in the listing.
CREATE FUNCTION counters_cell() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT cell_id INTO NEW.cell_id FROM contribution_listing WHERE contribution_id = NEW.contribution_id;
    UPDATE contribution_listing
       SET discussion = NEW.reactions_soutient + NEW.reactions_complete + NEW.reactions_nuance + NEW.reactions_conteste
                      + NEW.arguments_pour + NEW.arguments_contre + NEW.arguments_neutre
     WHERE contribution_id = NEW.contribution_id AND discussion <> NEW.reactions_soutient + NEW.reactions_complete
           + NEW.reactions_nuance + NEW.reactions_conteste + NEW.arguments_pour + NEW.arguments_contre + NEW.arguments_neutre;
    RETURN NEW;
END;
$$;

-- counters_discussion copies the number of reactions and arguments, the key
-- of the "most discussed" order, into the listing.
CREATE FUNCTION counters_discussion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contribution_listing
       SET discussion = NEW.reactions_soutient + NEW.reactions_complete + NEW.reactions_nuance + NEW.reactions_conteste
                      + NEW.arguments_pour + NEW.arguments_contre + NEW.arguments_neutre
     WHERE contribution_id = NEW.contribution_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- Existing data: cells, listing and the counters' cells, in bulk.
INSERT INTO contribution_cells (consultation_id, status, axis_id, entry, author_category, region_id, departement_id, hub_id, n)
SELECT consultation_id, status, axis_id, entry, author_category, coalesce(region_id, 0), coalesce(departement_id, 0), coalesce(hub_id, 0), count(*)
  FROM contributions
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

INSERT INTO contribution_listing (contribution_id, cell_id, created_at, rnd, discussion)
SELECT c.id, x.id, c.created_at, floor(random() * 2147483647)::int,
       coalesce(k.reactions_soutient + k.reactions_complete + k.reactions_nuance + k.reactions_conteste
                + k.arguments_pour + k.arguments_contre + k.arguments_neutre, 0)
  FROM contributions c
  JOIN contribution_cells x ON x.consultation_id = c.consultation_id AND x.status = c.status AND x.axis_id = c.axis_id
   AND x.entry = c.entry AND x.author_category = c.author_category AND x.region_id = coalesce(c.region_id, 0)
   AND x.departement_id = coalesce(c.departement_id, 0) AND x.hub_id = coalesce(c.hub_id, 0)
  LEFT JOIN contribution_counters k ON k.contribution_id = c.id;

UPDATE contribution_counters k SET cell_id = l.cell_id FROM contribution_listing l WHERE l.contribution_id = k.contribution_id;

CREATE TRIGGER contributions_track AFTER INSERT OR DELETE OR UPDATE OF consultation_id, status, axis_id, entry,
    author_category, region_id, departement_id, hub_id ON contributions
    FOR EACH ROW EXECUTE FUNCTION contributions_track();
CREATE TRIGGER counters_cell BEFORE INSERT ON contribution_counters
    FOR EACH ROW EXECUTE FUNCTION counters_cell();
CREATE TRIGGER counters_discussion AFTER UPDATE OF reactions_soutient, reactions_complete, reactions_nuance,
    reactions_conteste, arguments_pour, arguments_contre, arguments_neutre ON contribution_counters
    FOR EACH ROW
    WHEN (OLD.reactions_soutient + OLD.reactions_complete + OLD.reactions_nuance + OLD.reactions_conteste
          + OLD.arguments_pour + OLD.arguments_contre + OLD.arguments_neutre
          IS DISTINCT FROM NEW.reactions_soutient + NEW.reactions_complete + NEW.reactions_nuance + NEW.reactions_conteste
          + NEW.arguments_pour + NEW.arguments_contre + NEW.arguments_neutre)
    EXECUTE FUNCTION counters_discussion();

ANALYZE contribution_cells;
ANALYZE contribution_listing;
