-- The support desk: a ticket is a conversation. Statuses gain "new" (no
-- agent has answered) and "on_hold" (waiting on someone other than the
-- customer: a courier, a supplier); a ticket has a team, tags and an
-- order, and the SLA clock's state (when the customer last wrote, the next
-- response due, since when it is paused pending on the customer). A
-- message is the customer's, an agent's (sent on the ticket's channel when
-- deliver is set: message_id is its outbox row; a reply imported from
-- another system's history is recorded, not sent), an internal note or the
-- system's.
ALTER TABLE tickets DROP CONSTRAINT tickets_status_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_status_check CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'resolved', 'closed'));
ALTER TABLE tickets ADD COLUMN team_id BIGINT REFERENCES teams (id);
ALTER TABLE tickets ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN order_id BIGINT REFERENCES orders (id);
ALTER TABLE tickets ADD COLUMN last_customer_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN next_response_due_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN paused_at TIMESTAMPTZ;
CREATE INDEX tickets_assignee ON tickets (assignee_id, status);

ALTER TABLE ticket_messages DROP CONSTRAINT ticket_messages_author_check;
UPDATE ticket_messages SET author = 'agent' WHERE author = 'staff';
ALTER TABLE ticket_messages ADD CONSTRAINT ticket_messages_author_check CHECK (author IN ('customer', 'agent', 'note', 'system'));
ALTER TABLE ticket_messages ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket_messages ADD COLUMN message_id BIGINT REFERENCES messages (id);
ALTER TABLE ticket_messages ADD COLUMN deliver BOOLEAN NOT NULL DEFAULT FALSE;

-- A message sent as an approved WhatsApp template (an agent's reply more
-- than 24 hours after the customer last wrote): its name and language as
-- JSON; the body is its one parameter.
ALTER TABLE messages ADD COLUMN template TEXT NOT NULL DEFAULT '';
