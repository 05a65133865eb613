-- A ticket merged into another keeps its row (closed, for its history and
-- the links that name it) and points at the one its thread moved to.
ALTER TABLE tickets ADD COLUMN merged_into_id INTEGER REFERENCES tickets (id);
