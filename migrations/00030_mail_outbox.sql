-- +goose Up
-- Outgoing e-mail (sign-up, password reset, moderation notices), written in
-- the transaction of the change that causes it and delivered by the mail
-- worker of app/mail: nothing is lost while the SMTP server or the app is
-- down. Workers of several instances share it with SELECT … FOR UPDATE SKIP
-- LOCKED, holding the row until the server has accepted the mail, so no mail
-- is sent twice. A row is deleted once delivered (bodies hold sign-in links),
-- or given up after many attempts with a growing delay.
CREATE TABLE mail_outbox (
    id              bigserial PRIMARY KEY,
    recipient       text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id);
CREATE INDEX mail_outbox_recipient_idx ON mail_outbox (lower(recipient));
