-- Surveys as data, versioned like playbooks: an invitation keeps the
-- version it was sent with, so its answers are read against the questions
-- that were asked.
CREATE TABLE surveys (
    key        TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at DATETIME NOT NULL
);
CREATE TABLE survey_versions (
    key        TEXT NOT NULL REFERENCES surveys (key) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (key, version)
);

-- An invitation to answer: who, on which channel, about what (the order,
-- ticket, delivery, visit or enrollment) and whom (the staff member and
-- their team when it was sent: a rider who changes team keeps the answers
-- earned in the old one). The link carries a random token; only its
-- SHA-256 is stored. answers holds every answer (JSON by question id);
-- the score also goes in as a survey response (response_ext), through
-- the ingest path, so alerts, ratings and reports see it like any other.
CREATE TABLE survey_invitations (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    token_hash      TEXT NOT NULL UNIQUE,
    response_ext    TEXT NOT NULL UNIQUE,
    survey_key      TEXT NOT NULL,
    survey_version  INTEGER NOT NULL,
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    locale          TEXT NOT NULL DEFAULT 'en',
    context         TEXT NOT NULL DEFAULT '' CHECK (context IN ('', 'order', 'ticket', 'delivery', 'visit', 'enrollment')),
    order_id        INTEGER REFERENCES orders (id) ON DELETE SET NULL,
    ticket_id       INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    enrollment_id   INTEGER REFERENCES enrollments (id) ON DELETE SET NULL,
    staff_id        INTEGER REFERENCES staff (id),
    team_id         INTEGER REFERENCES teams (id),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'done')),
    awaiting        TEXT NOT NULL DEFAULT '',
    answers         TEXT NOT NULL DEFAULT '',
    score           INTEGER,
    reminded        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      DATETIME NOT NULL,
    expires_at      DATETIME NOT NULL,
    answered_at     DATETIME,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX survey_invitations_customer ON survey_invitations (customer_id, created_at);
CREATE INDEX survey_invitations_created ON survey_invitations (created_at);

-- A message's reply options (JSON), for channels that show them as
-- buttons or a list (WhatsApp): the score is one tap.
ALTER TABLE messages ADD COLUMN options TEXT NOT NULL DEFAULT '';

-- Who handled an order event: the rider who delivered it, the clerk who
-- took the return. A survey about the delivery is about them.
ALTER TABLE order_events ADD COLUMN staff_id INTEGER REFERENCES staff (id);
