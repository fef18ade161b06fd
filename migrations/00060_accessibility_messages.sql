-- +goose Up
-- Messages sent from the accessibility declaration's contact form, for the
-- team (owner: app/accessibility). Not tied to an account: a person who
-- cannot sign in must be able to write.
CREATE TABLE accessibility_messages (
    id          bigserial PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    name        text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
    email       text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    page        text NOT NULL DEFAULT '' CHECK (length(page) <= 500),
    message     text NOT NULL CHECK (length(message) BETWEEN 1 AND 5000),
    handled_at  timestamptz
);
CREATE INDEX accessibility_messages_created ON accessibility_messages (created_at DESC);
