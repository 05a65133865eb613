-- retain:foreign-keys-off
-- The support desk: a ticket is a conversation. Statuses gain "new" (no
-- agent has answered) and "on_hold" (waiting on someone other than the
-- customer: a courier, a supplier); a ticket has a team, tags and an
-- order, and the SLA clock's state (when the customer last wrote, the next
-- response due, since when it is paused pending on the customer). A
-- message is the customer's, an agent's (sent on the ticket's channel when
-- deliver is set: message_id is its outbox row; a reply imported from
-- another system's history is recorded, not sent), an internal note or the
-- system's.
--
-- SQLite cannot alter a CHECK constraint, so both tables are rebuilt the
-- way its documentation prescribes, with foreign keys off for the
-- migration (the runner turns them off for files that start with the
-- line above, and checks them before committing).
CREATE TABLE tickets_new (
    id                    INTEGER PRIMARY KEY,
    external_id           TEXT NOT NULL UNIQUE,
    customer_id           INTEGER NOT NULL REFERENCES customers (id),
    channel               TEXT NOT NULL,
    subject               TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'resolved', 'closed')),
    priority              TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id           INTEGER REFERENCES staff (id),
    root_cause            TEXT NOT NULL DEFAULT '',
    opened_at             DATETIME NOT NULL,
    first_response_at     DATETIME,
    resolved_at           DATETIME,
    first_response_due_at DATETIME,
    resolution_due_at     DATETIME,
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL,
    team_id               INTEGER REFERENCES teams (id),
    tags                  TEXT NOT NULL DEFAULT '',
    order_id              INTEGER REFERENCES orders (id),
    last_customer_at      DATETIME,
    next_response_due_at  DATETIME,
    paused_at             DATETIME
);
INSERT INTO tickets_new (id, external_id, customer_id, channel, subject, status, priority, assignee_id, root_cause, opened_at,
    first_response_at, resolved_at, first_response_due_at, resolution_due_at, created_at, updated_at)
SELECT id, external_id, customer_id, channel, subject, status, priority, assignee_id, root_cause, opened_at,
    first_response_at, resolved_at, first_response_due_at, resolution_due_at, created_at, updated_at FROM tickets;
DROP TABLE tickets;
ALTER TABLE tickets_new RENAME TO tickets;
CREATE INDEX tickets_customer ON tickets (customer_id, opened_at);
CREATE INDEX tickets_status ON tickets (status, opened_at);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status);

CREATE TABLE ticket_messages_new (
    id          INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author      TEXT NOT NULL CHECK (author IN ('customer', 'agent', 'note', 'system')),
    staff_id    INTEGER REFERENCES staff (id),
    body        TEXT NOT NULL,
    sent_at     DATETIME NOT NULL,
    channel     TEXT NOT NULL DEFAULT '',
    message_id  INTEGER REFERENCES messages (id),
    deliver     BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO ticket_messages_new (id, external_id, ticket_id, author, staff_id, body, sent_at)
SELECT id, external_id, ticket_id, CASE author WHEN 'staff' THEN 'agent' ELSE author END, staff_id, body, sent_at FROM ticket_messages;
DROP TABLE ticket_messages;
ALTER TABLE ticket_messages_new RENAME TO ticket_messages;
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, sent_at);

-- A message sent as an approved WhatsApp template (an agent's reply more
-- than 24 hours after the customer last wrote): its name and language as
-- JSON; the body is its one parameter.
ALTER TABLE messages ADD COLUMN template TEXT NOT NULL DEFAULT '';

-- An e-mail reply names the customer's message it answers (In-Reply-To),
-- so it threads in their mail client.
ALTER TABLE messages ADD COLUMN in_reply_to TEXT NOT NULL DEFAULT '';

-- How far an IMAP mailbox has been read: its UIDVALIDITY and the last UID
-- taken. It moves in the transaction that files the message, so a crash
-- neither loses one nor takes one twice.
CREATE TABLE mail_cursors (
    mailbox      TEXT PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   DATETIME NOT NULL
);

-- Files that came with a customer's e-mail, within the size limits; one
-- over them is a row with its name and size and no data.
CREATE TABLE ticket_attachments (
    id           INTEGER PRIMARY KEY,
    message_ext  TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL,
    data         BLOB,
    created_at   DATETIME NOT NULL
);
CREATE INDEX ticket_attachments_message ON ticket_attachments (message_ext);

-- Agents' replies go out on Messenger too: the messages table's channel
-- check gains it (rebuilt, as above).
CREATE TABLE messages_new (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp', 'webhook', 'messenger')),
    purpose         TEXT NOT NULL CHECK (purpose IN ('transactional', 'marketing')),
    kind            TEXT NOT NULL,
    locale          TEXT NOT NULL DEFAULT 'en',
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'unknown', 'delivered', 'failed', 'dead', 'expired', 'suppressed', 'capped')),
    due_at          DATETIME NOT NULL,
    created_for     DATETIME NOT NULL,
    max_lateness_s  INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT NOT NULL DEFAULT '',
    lease_until     DATETIME,
    fence           INTEGER NOT NULL DEFAULT 0,
    provider_id     TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    enrollment_id   INTEGER REFERENCES enrollments (id) ON DELETE SET NULL,
    sent_at         DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    waiting_for     TEXT NOT NULL DEFAULT '',
    options         TEXT NOT NULL DEFAULT '',
    template        TEXT NOT NULL DEFAULT '',
    in_reply_to     TEXT NOT NULL DEFAULT ''
);
INSERT INTO messages_new SELECT id, idempotency_key, customer_id, channel, purpose, kind, locale, recipient, subject, body, status, due_at,
    created_for, max_lateness_s, attempts, lease_owner, lease_until, fence, provider_id, last_error, enrollment_id, sent_at, created_at,
    updated_at, waiting_for, options, template, in_reply_to FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
CREATE INDEX messages_due ON messages (status, due_at);
CREATE INDEX messages_customer ON messages (customer_id, created_at);
CREATE INDEX messages_waiting ON messages (waiting_for) WHERE waiting_for <> '';

-- A conversation from the website's chat widget: the SHA-256 of the token
-- the visitor's browser holds to read the answers and write again.
ALTER TABLE tickets ADD COLUMN widget_token TEXT NOT NULL DEFAULT '';
CREATE INDEX tickets_widget ON tickets (widget_token) WHERE widget_token <> '';

-- The desk's lists of all tickets, newest or last changed first.
CREATE INDEX tickets_opened ON tickets (opened_at);
CREATE INDEX tickets_updated ON tickets (updated_at);
