-- +goose Up
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Régions and départements, keyed by their INSEE codes.
CREATE TABLE territories (
    id         bigserial PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('region', 'departement')),
    code       text NOT NULL CHECK (code ~ '^[0-9AB]{2,3}$'),
    name       text NOT NULL,
    region_id  bigint REFERENCES territories (id),
    CHECK ((kind = 'region') = (region_id IS NULL)),
    UNIQUE (kind, code)
);
CREATE INDEX territories_region_idx ON territories (region_id);

CREATE TABLE consultations (
    id           bigserial PRIMARY KEY,
    slug         text NOT NULL UNIQUE,
    title        text NOT NULL,
    summary      text NOT NULL DEFAULT '',
    presentation text NOT NULL DEFAULT '',
    opens_at     timestamptz NOT NULL,
    closes_at    timestamptz NOT NULL,
    -- draft: not visible yet; open: open between its dates; closed: closed early by an administrator
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('draft', 'open', 'closed')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (closes_at > opens_at)
);

CREATE TABLE axes (
    id              bigserial PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations (id),
    position        int NOT NULL,
    slug            text NOT NULL,
    title           text NOT NULL,
    presentation    text NOT NULL DEFAULT '',
    UNIQUE (consultation_id, slug),
    UNIQUE (consultation_id, position)
);

CREATE TABLE axis_questions (
    axis_id  bigint NOT NULL REFERENCES axes (id) ON DELETE CASCADE,
    position int NOT NULL,
    text     text NOT NULL,
    PRIMARY KEY (axis_id, position)
);

-- The two entries of the concertation: Hub proposals and free contributions.
CREATE TABLE entries (
    id              bigserial PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations (id),
    kind            text NOT NULL CHECK (kind IN ('hubs', 'libres')),
    position        int NOT NULL,
    slug            text NOT NULL,
    title           text NOT NULL,
    presentation    text NOT NULL DEFAULT '',
    UNIQUE (consultation_id, kind),
    UNIQUE (consultation_id, slug)
);

CREATE TABLE hubs (
    id           bigserial PRIMARY KEY,
    slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name         text NOT NULL,
    presentation text NOT NULL DEFAULT '',
    website      text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hub_territories (
    hub_id       bigint NOT NULL REFERENCES hubs (id) ON DELETE CASCADE,
    territory_id bigint NOT NULL REFERENCES territories (id),
    PRIMARY KEY (hub_id, territory_id)
);
CREATE INDEX hub_territories_territory_idx ON hub_territories (territory_id);
