-- What a message is news of ("order:1042"): a newer message about it
-- replaces one still queued and waits a while after one just sent.
ALTER TABLE messages ADD COLUMN about TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_about ON messages (customer_id, about) WHERE about <> '';
