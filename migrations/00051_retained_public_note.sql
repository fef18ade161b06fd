-- +goose Up
-- The rapporteur's public note on a contribution retained for the report:
-- printed under it in the report (unlike the private notes).
ALTER TABLE synthesis_retained ADD COLUMN public_note text NOT NULL DEFAULT ''
    CHECK (char_length(public_note) <= 2000);
