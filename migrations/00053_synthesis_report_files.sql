-- +goose Up
-- Reports prepared in the background for large views: the worker of the
-- theme analyses computes them one at a time and keeps the files (PDF and
-- ODT) for the rapporteurs to download. Owned by the synthesis package.
CREATE TABLE synthesis_report_files (
    id              bigserial PRIMARY KEY,
    consultation_id bigint NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    query           text NOT NULL DEFAULT '' CHECK (char_length(query) <= 2000),
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    requested_by    bigint REFERENCES users (id) ON DELETE SET NULL,
    requested_at    timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    heartbeat_at    timestamptz,
    contributions   int NOT NULL DEFAULT 0,
    hash            text NOT NULL DEFAULT '',
    file_slug       text NOT NULL DEFAULT '',
    pdf             bytea,
    odt             bytea,
    error           text NOT NULL DEFAULT ''
);
CREATE INDEX synthesis_report_files_requested_idx ON synthesis_report_files (consultation_id, id DESC);
CREATE UNIQUE INDEX synthesis_report_files_one_active ON synthesis_report_files ((true)) WHERE status IN ('queued', 'running');
