-- Texts in the reader's language: an alert's detail as a catalog key with
-- its values (rendered for whoever reads it), a playbook task's title in
-- every language the playbook wrote it in.
ALTER TABLE alerts ADD COLUMN detail_key TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN detail_args TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN titles TEXT NOT NULL DEFAULT '';
