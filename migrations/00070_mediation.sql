-- +goose Up
-- Assisted contribution (issue 14): a médiateur numérique contributes and
-- supports for a person at their side who has no account or no e-mail.
--
-- The role "mediateur" is granted by an administrator, tied to a structure
-- and a territory (mediators, owned by app/mediation). Each person
-- accompanied is one row of mediation_people, with the consent read aloud
-- to them (its date and the médiateur who collected it). What the person
-- writes is a contribution marked assisted, with its claim code
-- (assisted_contributions); what they support is a row of
-- assisted_supports, counted in the same counter as the supports of
-- accounts. Contributions, supports and their counters stay owned by
-- app/contribution.

-- The role, and the médiateur's structure and territory.
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
    CHECK (role IN ('rapporteur', 'moderator', 'admin', 'mediateur'));

CREATE TABLE mediators (
    user_id        bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    structure_kind text NOT NULL CHECK (structure_kind IN ('france-services', 'conseiller-numerique', 'association', 'autre')),
    structure_name text NOT NULL CHECK (char_length(structure_name) BETWEEN 1 AND 120),
    territory_id   bigint NOT NULL REFERENCES territories (id), -- a département or a région
    granted_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz -- set when the role is withdrawn; the row stays for the moderators' figures
);

-- A person accompanied, once their consent has been read aloud and given.
-- The label (first name or pseudonym) is optional and never an e-mail.
CREATE TABLE mediation_people (
    id              bigserial PRIMARY KEY,
    mediator_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    label           text NOT NULL DEFAULT '' CHECK (char_length(label) <= 40),
    author_category text NOT NULL REFERENCES author_categories (code),
    departement_id  bigint NOT NULL REFERENCES territories (id),
    consent_version text NOT NULL, -- the text read aloud (app/mediation ConsentVersion)
    consent_at      timestamptz NOT NULL,
    consent_by      bigint NOT NULL, -- the médiateur who collected it; no foreign key: kept after their account goes
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mediation_people_mediator_idx ON mediation_people (mediator_id, created_at DESC);

-- The dimension "contribution accompagnée": written only by app/contribution,
-- when a médiateur publishes for a person; never changed afterwards.
ALTER TABLE contributions ADD COLUMN assisted boolean NOT NULL DEFAULT false;

-- Who an assisted contribution was written for and by whom (never shown to
-- the public), and its claim code: an HMAC-SHA-256 of the code under a
-- server key, cleared once used.
CREATE TABLE assisted_contributions (
    contribution_id  bigint PRIMARY KEY REFERENCES contributions (id) ON DELETE CASCADE,
    person_id        bigint NOT NULL REFERENCES mediation_people (id),
    mediator_id      bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    claim_hash       bytea UNIQUE,
    claim_expires_at timestamptz,
    claimed_at       timestamptz,
    claimed_by       bigint, -- no foreign key: the trace outlives the account
    CHECK ((claim_hash IS NULL) = (claim_expires_at IS NULL) OR claimed_at IS NOT NULL)
);
CREATE INDEX assisted_contributions_mediator_idx ON assisted_contributions (mediator_id, created_at DESC);
CREATE INDEX assisted_contributions_person_idx ON assisted_contributions (person_id);

-- Supports recorded by a médiateur for a present person: one row per person
-- and contribution (the primary key keeps it exact, as for accounts), added
-- to contribution_counters.supports in the same statement.
CREATE TABLE assisted_supports (
    contribution_id bigint NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    person_id       bigint NOT NULL REFERENCES mediation_people (id),
    mediator_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contribution_id, person_id)
);
CREATE INDEX assisted_supports_person_idx ON assisted_supports (person_id);
CREATE INDEX assisted_supports_mediator_idx ON assisted_supports (mediator_id, created_at);

-- The rollup learns the dimension: a column of the cells, part of their
-- unique key. Backfill: every existing contribution is not assisted (the
-- column's default) and so is every existing cell (same default), so the
-- counts stay exact without rewriting a row; adding a column with a
-- constant default rewrites no table either.
ALTER TABLE contribution_cells ADD COLUMN assisted boolean NOT NULL DEFAULT false;

-- +goose StatementBegin
DO $$
DECLARE
    k text;
BEGIN
    -- The unique key of migration 00010, whatever name PostgreSQL gave it.
    FOR k IN SELECT conname FROM pg_constraint WHERE conrelid = 'contribution_cells'::regclass AND contype = 'u' LOOP
        EXECUTE format('ALTER TABLE contribution_cells DROP CONSTRAINT %I', k);
    END LOOP;
END;
$$;
-- +goose StatementEnd
ALTER TABLE contribution_cells ADD CONSTRAINT contribution_cells_dimensions_key
    UNIQUE (consultation_id, status, axis_id, entry, author_category, region_id, departement_id, hub_id, assisted);

-- +goose StatementBegin
-- contribution_cell returns the id of the cell of these values, creating it
-- when it is new (migration 00010, with the dimension assisted).
CREATE FUNCTION contribution_cell(p_consultation bigint, p_status text, p_axis bigint, p_entry text, p_category text,
                                  p_region bigint, p_departement bigint, p_hub bigint, p_assisted boolean) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    cell int;
BEGIN
    SELECT id INTO cell FROM contribution_cells
     WHERE consultation_id = p_consultation AND status = p_status AND axis_id = p_axis AND entry = p_entry
       AND author_category = p_category AND region_id = coalesce(p_region, 0)
       AND departement_id = coalesce(p_departement, 0) AND hub_id = coalesce(p_hub, 0) AND assisted = p_assisted;
    IF FOUND THEN
        RETURN cell;
    END IF;
    INSERT INTO contribution_cells (consultation_id, status, axis_id, entry, author_category, region_id, departement_id, hub_id, assisted)
    VALUES (p_consultation, p_status, p_axis, p_entry, p_category, coalesce(p_region, 0), coalesce(p_departement, 0), coalesce(p_hub, 0), p_assisted)
    ON CONFLICT DO NOTHING
    RETURNING id INTO cell;
    IF cell IS NULL THEN -- created meanwhile by another transaction
        SELECT id INTO cell FROM contribution_cells
         WHERE consultation_id = p_consultation AND status = p_status AND axis_id = p_axis AND entry = p_entry
           AND author_category = p_category AND region_id = coalesce(p_region, 0)
           AND departement_id = coalesce(p_departement, 0) AND hub_id = coalesce(p_hub, 0) AND assisted = p_assisted;
    END IF;
    RETURN cell;
END;
$$;

-- contributions_track: as in migration 00010, with the dimension assisted in
-- the cell of a contribution.
CREATE OR REPLACE FUNCTION contributions_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_cell int;
    new_cell int;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT cell_id INTO old_cell FROM contribution_listing WHERE contribution_id = OLD.id;
    ELSIF TG_OP = 'DELETE' THEN -- the listing row may be gone already (foreign key cascade)
        old_cell := contribution_cell(OLD.consultation_id, OLD.status, OLD.axis_id, OLD.entry, OLD.author_category,
                                      OLD.region_id, OLD.departement_id, OLD.hub_id, OLD.assisted);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_cell := contribution_cell(NEW.consultation_id, NEW.status, NEW.axis_id, NEW.entry, NEW.author_category,
                                      NEW.region_id, NEW.departement_id, NEW.hub_id, NEW.assisted);
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
-- +goose StatementEnd

DROP FUNCTION contribution_cell(bigint, text, bigint, text, text, bigint, bigint, bigint);

DROP TRIGGER contributions_track ON contributions;
CREATE TRIGGER contributions_track AFTER INSERT OR DELETE OR UPDATE OF consultation_id, status, axis_id, entry,
    author_category, region_id, departement_id, hub_id, assisted ON contributions
    FOR EACH ROW EXECUTE FUNCTION contributions_track();
