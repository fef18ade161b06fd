-- +goose Up
-- Contributions: Hub proposals (entry 'hubs', published under a Hub's name) and
-- free contributions (entry 'libres'). The wide row carries the texts; the
-- counters live in a narrow table so that supports and reactions update it
-- with cheap HOT updates.
CREATE TABLE contributions (
    id              bigserial PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations (id),
    entry           text NOT NULL CHECK (entry IN ('hubs', 'libres')),
    axis_id         bigint NOT NULL REFERENCES axes (id),
    hub_id          bigint REFERENCES hubs (id),
    author_id       bigint REFERENCES users (id) ON DELETE SET NULL, -- NULL once the author deleted the account and kept it anonymised
    author_category text NOT NULL REFERENCES author_categories (code), -- as it was when published
    territory_id    bigint REFERENCES territories (id),               -- département or région
    region_id       bigint REFERENCES territories (id),               -- denormalised for filters
    departement_id  bigint REFERENCES territories (id),
    reacts_to_id    bigint REFERENCES contributions (id),
    reaction_type   text CHECK (reaction_type IN ('soutient', 'complete', 'nuance', 'conteste')),
    title           text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 140),
    body            text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    status          text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'withdrawn', 'hidden')),
    hidden_reason   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    edited_at       timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((entry = 'hubs') = (hub_id IS NOT NULL)),
    CHECK ((reacts_to_id IS NULL) = (reaction_type IS NULL)),
    CHECK (reacts_to_id IS NULL OR entry = 'libres')
);
CREATE INDEX contributions_listing_idx ON contributions (consultation_id, status, created_at DESC, id DESC);
CREATE INDEX contributions_axis_idx ON contributions (axis_id, status);
CREATE INDEX contributions_hub_idx ON contributions (hub_id) WHERE hub_id IS NOT NULL;
CREATE INDEX contributions_author_idx ON contributions (author_id);
CREATE INDEX contributions_region_idx ON contributions (region_id);
CREATE INDEX contributions_departement_idx ON contributions (departement_id);
CREATE INDEX contributions_category_idx ON contributions (author_category);
CREATE INDEX contributions_reacts_to_idx ON contributions (reacts_to_id) WHERE reacts_to_id IS NOT NULL;
CREATE INDEX contributions_title_trgm_idx ON contributions USING gin (title gin_trgm_ops);

CREATE TABLE contribution_counters (
    contribution_id    bigint PRIMARY KEY REFERENCES contributions (id) ON DELETE CASCADE,
    supports           int NOT NULL DEFAULT 0 CHECK (supports >= 0),
    reactions_soutient int NOT NULL DEFAULT 0,
    reactions_complete int NOT NULL DEFAULT 0,
    reactions_nuance   int NOT NULL DEFAULT 0,
    reactions_conteste int NOT NULL DEFAULT 0,
    arguments_pour     int NOT NULL DEFAULT 0,
    arguments_contre   int NOT NULL DEFAULT 0,
    arguments_neutre   int NOT NULL DEFAULT 0
) WITH (fillfactor = 70);
CREATE INDEX contribution_counters_supports_idx ON contribution_counters (supports DESC, contribution_id DESC);

-- One support per account and contribution: the primary key keeps it exact.
CREATE TABLE supports (
    contribution_id bigint NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (contribution_id, user_id)
);
CREATE INDEX supports_user_idx ON supports (user_id);

-- Arguments: comments with a stance, one level of replies.
CREATE TABLE arguments (
    id              bigserial PRIMARY KEY,
    contribution_id bigint NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    parent_id       bigint REFERENCES arguments (id) ON DELETE CASCADE,
    author_id       bigint REFERENCES users (id) ON DELETE SET NULL,
    author_category text NOT NULL REFERENCES author_categories (code),
    stance          text NOT NULL CHECK (stance IN ('pour', 'contre', 'neutre')),
    body            text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 2000),
    status          text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'withdrawn', 'hidden')),
    hidden_reason   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    edited_at       timestamptz
);
CREATE INDEX arguments_contribution_idx ON arguments (contribution_id, created_at);
CREATE INDEX arguments_author_idx ON arguments (author_id);

-- Transactional outbox for the search index: every change that affects a
-- contribution's search document inserts a row here in the same transaction;
-- the search worker drains it in id order.
CREATE TABLE search_outbox (
    id              bigserial PRIMARY KEY,
    contribution_id bigint NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text
);
CREATE INDEX search_outbox_contribution_idx ON search_outbox (contribution_id, id);

-- Append-only audit log: role changes, moderation actions, closings and
-- reopenings, exports. Rows are never updated or deleted (trigger below).
CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor_id   bigint, -- no foreign key: the trail outlives deleted accounts
    action     text NOT NULL,
    target     text NOT NULL DEFAULT '',
    details    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
