-- Retain's core schema (docs/architecture.md, Data model). Money is integer minor units plus
-- an ISO 4217 code; times are UTC; every imported entity has an external_id
-- that is unique per type, so re-imports update instead of duplicating.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DATETIME NOT NULL
);

CREATE TABLE teams (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at DATETIME NOT NULL
);

-- Staff are login users (admin, manager, agent) and representatives who never
-- log in but are named in surveys and own customers.
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    external_id   TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'agent', 'representative')),
    team_id       INTEGER REFERENCES teams (id),
    can_login     BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT NOT NULL DEFAULT '',
    locale        TEXT NOT NULL DEFAULT 'en',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX staff_login_email ON staff (email) WHERE can_login;

CREATE TABLE customers (
    id            INTEGER PRIMARY KEY,
    external_id   TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    locale        TEXT NOT NULL DEFAULT '',
    time_zone     TEXT NOT NULL DEFAULT '',
    stage         TEXT NOT NULL DEFAULT 'new',
    owner_id      INTEGER REFERENCES staff (id),
    attributes    TEXT NOT NULL DEFAULT '{}',
    first_seen_at DATETIME,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX customers_email ON customers (email) WHERE email <> '';
CREATE INDEX customers_phone ON customers (phone) WHERE phone <> '';
CREATE INDEX customers_owner ON customers (owner_id);

CREATE TABLE consents (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp', 'phone')),
    purpose     TEXT NOT NULL CHECK (purpose IN ('transactional', 'marketing')),
    granted     BOOLEAN NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    updated_at  DATETIME NOT NULL,
    PRIMARY KEY (customer_id, channel, purpose)
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

CREATE TABLE orders (
    id                   INTEGER PRIMARY KEY,
    external_id          TEXT NOT NULL UNIQUE,
    customer_id          INTEGER NOT NULL REFERENCES customers (id),
    status               TEXT NOT NULL DEFAULT 'placed',
    channel              TEXT NOT NULL DEFAULT '',
    currency             TEXT NOT NULL,
    total_minor          INTEGER NOT NULL,
    placed_at            DATETIME NOT NULL,
    expected_delivery_at DATETIME,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL
);
-- The per-customer history is what every score reads.
CREATE INDEX orders_customer ON orders (customer_id, placed_at);
CREATE INDEX orders_placed ON orders (placed_at);

CREATE TABLE order_lines (
    id               INTEGER PRIMARY KEY,
    external_id      TEXT NOT NULL UNIQUE,
    order_id         INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id       INTEGER REFERENCES products (id),
    name             TEXT NOT NULL DEFAULT '',
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_minor INTEGER NOT NULL,
    total_minor      INTEGER NOT NULL
);
CREATE INDEX order_lines_order ON order_lines (order_id);
CREATE INDEX order_lines_product ON order_lines (product_id);

CREATE TABLE order_events (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT NOT NULL UNIQUE,
    order_id     INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    type         TEXT NOT NULL CHECK (type IN ('placed', 'paid', 'shipped', 'out_for_delivery', 'delivered',
                                               'delayed', 'returned', 'refunded', 'chargeback', 'refused')),
    reason       TEXT NOT NULL DEFAULT '',
    amount_minor INTEGER NOT NULL DEFAULT 0,
    occurred_at  DATETIME NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, occurred_at);
CREATE INDEX order_events_type ON order_events (type, occurred_at);

CREATE TABLE subscriptions (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT NOT NULL UNIQUE,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    plan         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled', 'lapsed')),
    currency     TEXT NOT NULL,
    value_minor  INTEGER NOT NULL,
    interval     TEXT NOT NULL DEFAULT 'month' CHECK (interval IN ('month', 'quarter', 'year')),
    started_at   DATETIME NOT NULL,
    renews_at    DATETIME,
    cancelled_at DATETIME,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id);
CREATE INDEX subscriptions_renews ON subscriptions (renews_at);

CREATE TABLE interactions (
    id          INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    staff_id    INTEGER REFERENCES staff (id),
    kind        TEXT NOT NULL CHECK (kind IN ('call', 'visit', 'email', 'sms', 'whatsapp', 'chat', 'note')),
    direction   TEXT NOT NULL DEFAULT 'outbound' CHECK (direction IN ('inbound', 'outbound', 'internal')),
    summary     TEXT NOT NULL DEFAULT '',
    occurred_at DATETIME NOT NULL,
    created_at  DATETIME NOT NULL
);
CREATE INDEX interactions_customer ON interactions (customer_id, occurred_at);

CREATE TABLE tickets (
    id                    INTEGER PRIMARY KEY,
    external_id           TEXT NOT NULL UNIQUE,
    customer_id           INTEGER NOT NULL REFERENCES customers (id),
    channel               TEXT NOT NULL,
    subject               TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
    priority              TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id           INTEGER REFERENCES staff (id),
    root_cause            TEXT NOT NULL DEFAULT '',
    opened_at             DATETIME NOT NULL,
    first_response_at     DATETIME,
    resolved_at           DATETIME,
    first_response_due_at DATETIME,
    resolution_due_at     DATETIME,
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL
);
CREATE INDEX tickets_customer ON tickets (customer_id, opened_at);
CREATE INDEX tickets_status ON tickets (status, opened_at);

CREATE TABLE ticket_messages (
    id          INTEGER PRIMARY KEY,
    external_id TEXT NOT NULL UNIQUE,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    author      TEXT NOT NULL CHECK (author IN ('customer', 'staff', 'system')),
    staff_id    INTEGER REFERENCES staff (id),
    body        TEXT NOT NULL,
    sent_at     DATETIME NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, sent_at);

CREATE TABLE survey_responses (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT NOT NULL UNIQUE,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    kind         TEXT NOT NULL CHECK (kind IN ('nps', 'csat', 'ces')),
    score        INTEGER NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    staff_id     INTEGER REFERENCES staff (id),
    order_id     INTEGER REFERENCES orders (id),
    ticket_id    INTEGER REFERENCES tickets (id),
    cause        TEXT NOT NULL DEFAULT '',
    responded_at DATETIME NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX survey_responses_customer ON survey_responses (customer_id, responded_at);
CREATE INDEX survey_responses_kind ON survey_responses (kind, responded_at);
CREATE INDEX survey_responses_staff ON survey_responses (staff_id);

-- Raw events received by the API. event_id is the sender's idempotency key:
-- a repeated id is acknowledged without a second effect.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    api_key_id  INTEGER,
    received_at DATETIME NOT NULL
);

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    format        TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    rows_read     INTEGER NOT NULL DEFAULT 0,
    rows_ok       INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    rejects_path  TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    started_at    DATETIME NOT NULL,
    finished_at   DATETIME
);

-- API keys are stored as a SHA-256 of the key (keys are 256-bit random, so a
-- fast hash is enough); prefix lets a person tell keys apart.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     DATETIME NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
