-- +goose Up
-- A renderer's pass through every page now claims the pages for its key when
-- it starts (done false) and marks them done when it ends, and saves of pages
-- rendered with another key than the claimed one are refused (SavePages).
-- During a deploy, a server of the older version could otherwise store, after
-- the new version's pass went by, pages with its own key that the new version
-- would never render again (they would be rendered at each visit).
--
-- started_at is when the claiming server started (the database's clock): a
-- server that finds the pages claimed for another key by a server started
-- after it leaves them to that one, rather than claim them back every minute
-- until one version is gone. The row recorded before this migration was a
-- whole pass: done, by a server older than any.
ALTER TABLE contribution_pages_swept
    ADD COLUMN done boolean NOT NULL DEFAULT true,
    ADD COLUMN started_at timestamptz NOT NULL DEFAULT '-infinity';
ALTER TABLE contribution_pages_swept ALTER COLUMN done SET DEFAULT false;
