-- +goose Up
-- The easy-to-read (FALC) version of the axes, their questions and the page
-- texts (home, contribution form, sign-up), loaded from seeds/facile.json by
-- seed (owner: app/consultation). Empty means: no easy version yet.
ALTER TABLE axes
    ADD COLUMN easy_title        text NOT NULL DEFAULT '',
    ADD COLUMN easy_presentation text NOT NULL DEFAULT '';
ALTER TABLE axis_questions ADD COLUMN easy_text text NOT NULL DEFAULT '';
CREATE TABLE easy_read_texts (
    consultation_id bigint NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    key             text   NOT NULL CHECK (key ~ '^[a-z0-9-]+$'),
    body            text   NOT NULL,
    PRIMARY KEY (consultation_id, key)
);
