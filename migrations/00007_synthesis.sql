-- +goose Up
-- The rapporteurs' workspace: private tags and notes on contributions, the
-- "retenue pour le rapport" mark, and named sets of filters. Nothing here is
-- ever public or exported as open data.
CREATE TABLE synthesis_tags (
    contribution_id bigint NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    tag             text NOT NULL CHECK (char_length(tag) BETWEEN 1 AND 60 AND tag = btrim(tag)),
    created_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contribution_id, tag)
);
CREATE INDEX synthesis_tags_tag_idx ON synthesis_tags (tag, contribution_id);

CREATE TABLE synthesis_notes (
    id              bigserial PRIMARY KEY,
    contribution_id bigint NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    author_id       bigint REFERENCES users (id) ON DELETE SET NULL,
    body            text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 2000),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX synthesis_notes_contribution_idx ON synthesis_notes (contribution_id, created_at);

CREATE TABLE synthesis_retained (
    contribution_id bigint PRIMARY KEY REFERENCES contributions (id) ON DELETE CASCADE,
    retained_by     bigint REFERENCES users (id) ON DELETE SET NULL,
    retained_at     timestamptz NOT NULL DEFAULT now()
);

-- A saved view of the workspace: its name and its URL query string.
CREATE TABLE synthesis_filter_sets (
    id         bigserial PRIMARY KEY,
    owner_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80 AND name = btrim(name)),
    query      text NOT NULL CHECK (char_length(query) <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (owner_id, name)
);
