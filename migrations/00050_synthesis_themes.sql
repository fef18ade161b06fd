-- +goose Up
-- Themes of the contributions, found in the background and then validated by
-- the rapporteurs. A run is one analysis (or one split of a theme); the
-- themes it found keep their members with a weight (a contribution may
-- belong to several themes); every change a rapporteur makes is kept in the
-- history. Owned by the synthesis package.
CREATE TABLE synthesis_theme_runs (
    id              bigserial PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    kind            text NOT NULL DEFAULT 'analyse' CHECK (kind IN ('analyse', 'scission')),
    query           text NOT NULL DEFAULT '' CHECK (char_length(query) <= 2000),
    themes_wanted   int NOT NULL CHECK (themes_wanted BETWEEN 2 AND 40),
    split_theme_id  bigint,
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    phase           text NOT NULL DEFAULT '',
    progress        int NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    contributions   int NOT NULL DEFAULT 0,
    sample          int NOT NULL DEFAULT 0,
    vocabulary      int NOT NULL DEFAULT 0,
    expressions     int NOT NULL DEFAULT 0,
    error           text NOT NULL DEFAULT '',
    requested_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    heartbeat_at    timestamptz
);
-- One analysis at a time, across every instance.
CREATE UNIQUE INDEX synthesis_theme_runs_one_active ON synthesis_theme_runs ((true)) WHERE status IN ('queued', 'running');

CREATE TABLE synthesis_themes (
    id          bigserial PRIMARY KEY,
    run_id      bigint NOT NULL REFERENCES synthesis_theme_runs (id) ON DELETE CASCADE,
    position    int NOT NULL,
    label       text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 200),
    auto_label  text NOT NULL,
    terms       text[] NOT NULL DEFAULT '{}',
    status      text NOT NULL DEFAULT 'propose' CHECK (status IN ('propose', 'valide', 'rejete', 'fusionne', 'scinde')),
    merged_into bigint REFERENCES synthesis_themes (id) ON DELETE SET NULL,
    parent_id   bigint REFERENCES synthesis_themes (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX synthesis_themes_run_idx ON synthesis_themes (run_id, position);
ALTER TABLE synthesis_theme_runs ADD FOREIGN KEY (split_theme_id) REFERENCES synthesis_themes (id) ON DELETE SET NULL;

CREATE TABLE synthesis_theme_members (
    theme_id        bigint NOT NULL REFERENCES synthesis_themes (id) ON DELETE CASCADE,
    contribution_id bigint NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    weight          real NOT NULL CHECK (weight >= 0),
    manual          boolean NOT NULL DEFAULT false,
    PRIMARY KEY (theme_id, contribution_id)
);
CREATE INDEX synthesis_theme_members_weight_idx ON synthesis_theme_members (theme_id, weight DESC, contribution_id);
CREATE INDEX synthesis_theme_members_contribution_idx ON synthesis_theme_members (contribution_id);

CREATE TABLE synthesis_theme_history (
    id         bigserial PRIMARY KEY,
    theme_id   bigint NOT NULL REFERENCES synthesis_themes (id) ON DELETE CASCADE,
    actor_id   bigint REFERENCES users (id) ON DELETE SET NULL,
    action     text NOT NULL,
    details    jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX synthesis_theme_history_theme_idx ON synthesis_theme_history (theme_id, created_at, id);
