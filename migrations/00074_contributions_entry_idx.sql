-- +goose Up
-- The entry (Hub proposals or free contributions) gets an index of its own,
-- like the axis and the territories: a search of common words sampled among
-- the rows of its filters walks the index of the narrowest one
-- (search/postgres.go, plansOff). Without it, the Hub proposals could only
-- be found by reading the table in order, and rows are not spread evenly in
-- it (an updated row moves to free space): in the data set of 1,000,000
-- contributions, the 150,000 Hub proposals lay in the last sixth of the
-- table, and 850,000 rows were read before the first.
CREATE INDEX IF NOT EXISTS contributions_entry_idx ON contributions (entry);
