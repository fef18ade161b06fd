-- +goose Up
-- Reports: a signed-in account flags a contribution or an argument, once per
-- item. Open reports (resolved_at IS NULL) feed the moderation queue; enough
-- of them from distinct accounts hide the item until a moderator decides.
CREATE TABLE reports (
    id              bigserial PRIMARY KEY,
    contribution_id bigint REFERENCES contributions (id) ON DELETE CASCADE,
    argument_id     bigint REFERENCES arguments (id) ON DELETE CASCADE,
    reporter_id     bigint REFERENCES users (id) ON DELETE SET NULL, -- NULL once the reporter deleted the account
    reason          text NOT NULL CHECK (reason IN ('spam', 'injurieux', 'hors-sujet', 'donnees-personnelles', 'autre')),
    details         text NOT NULL DEFAULT '' CHECK (char_length(details) <= 1000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    resolution      text CHECK (resolution IN ('hidden', 'restored', 'dismissed')),
    CHECK ((contribution_id IS NULL) <> (argument_id IS NULL)),
    CHECK ((resolved_at IS NULL) = (resolution IS NULL)),
    CHECK (reason <> 'autre' OR details <> '')
);
-- Once per item and account, open or resolved.
CREATE UNIQUE INDEX reports_contribution_reporter_key ON reports (contribution_id, reporter_id) WHERE contribution_id IS NOT NULL;
CREATE UNIQUE INDEX reports_argument_reporter_key ON reports (argument_id, reporter_id) WHERE argument_id IS NOT NULL;
CREATE INDEX reports_open_contribution_idx ON reports (contribution_id) WHERE resolved_at IS NULL AND contribution_id IS NOT NULL;
CREATE INDEX reports_open_argument_idx ON reports (argument_id) WHERE resolved_at IS NULL AND argument_id IS NOT NULL;
CREATE INDEX reports_reporter_idx ON reports (reporter_id);

-- Public moderation log: what was hidden or restored, when and why. It holds
-- no personal data (no account, no text of the item) and is append-only.
CREATE TABLE moderation_log (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    item_kind text NOT NULL CHECK (item_kind IN ('contribution', 'argument')),
    item_id   bigint NOT NULL, -- no foreign key: the log outlives deleted items
    decision  text NOT NULL CHECK (decision IN ('auto_hidden', 'hidden', 'restored')),
    reason    text NOT NULL DEFAULT ''
);
CREATE INDEX moderation_log_at_idx ON moderation_log (at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION moderation_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'moderation_log is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER moderation_log_no_update BEFORE UPDATE OR DELETE ON moderation_log
    FOR EACH ROW EXECUTE FUNCTION moderation_log_append_only();

-- In-app notifications (moderation decisions told to the people concerned),
-- shown at /compte/notifications; an e-mail is sent as well when possible.
CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
