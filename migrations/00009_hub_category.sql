-- +goose Up
-- A Hub proposal is published in the Hub's name: it carries the author
-- category "Hub territorial" in lists, facets, exports and open data, never
-- the own category of the member who wrote it (which would partly identify
-- them). People cannot choose this category for themselves.
ALTER TABLE author_categories ADD COLUMN selectable boolean NOT NULL DEFAULT true;
INSERT INTO author_categories (code, label, position, selectable)
    VALUES ('hub', 'Hub territorial', 10, false);
UPDATE contributions SET author_category = 'hub' WHERE entry = 'hubs' AND author_category <> 'hub';
ALTER TABLE contributions ADD CONSTRAINT contributions_hub_category
    CHECK ((entry = 'hubs') = (author_category = 'hub'));
