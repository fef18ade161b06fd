-- +goose Up
-- The consultation team's official answer to a contribution: one per
-- contribution, public. Owned by the answer package.
CREATE TABLE official_answers (
    contribution_id bigint PRIMARY KEY REFERENCES contributions (id) ON DELETE CASCADE,
    state           text NOT NULL CHECK (state IN ('etude', 'retenue', 'partielle', 'non_retenue')),
    body            text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    answered_by     bigint REFERENCES users (id) ON DELETE SET NULL,
    answered_at     timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX official_answers_state_idx ON official_answers (state, contribution_id);
