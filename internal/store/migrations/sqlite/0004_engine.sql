-- The engine: alerts, tasks, playbooks and their enrollments, and the
-- message outbox. Work that must happen once (a step, a send) is claimed with
-- a lease and a fencing token that only grows; every later write of the
-- worker is conditional on the token it claimed with (docs/reliability.md M4).

CREATE TABLE alerts (
    id                    INTEGER PRIMARY KEY,
    customer_id           INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    type                  TEXT NOT NULL CHECK (type IN ('risk', 'opportunity', 'lifecycle')),
    reason                TEXT NOT NULL,
    root_cause            TEXT NOT NULL DEFAULT '' CHECK (root_cause IN ('', 'quality', 'price', 'usability', 'service', 'delivery')),
    severity              TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    status                TEXT NOT NULL CHECK (status IN ('open', 'snoozed', 'resolved')),
    owner_id              INTEGER REFERENCES staff (id),
    title                 TEXT NOT NULL,
    detail                TEXT NOT NULL DEFAULT '',
    source                TEXT NOT NULL DEFAULT '',
    revenue_at_risk_minor INTEGER NOT NULL DEFAULT 0,
    currency              TEXT NOT NULL DEFAULT '',
    occurrences           INTEGER NOT NULL DEFAULT 1,
    due_at                DATETIME,
    snoozed_until         DATETIME,
    snooze_reason         TEXT NOT NULL DEFAULT '',
    outcome               TEXT NOT NULL DEFAULT '',
    resolved_at           DATETIME,
    last_seen_at          DATETIME NOT NULL,
    created_at            DATETIME NOT NULL,
    updated_at            DATETIME NOT NULL
);
-- De-duplication: one unresolved alert per customer, type and reason.
CREATE UNIQUE INDEX alerts_dedupe ON alerts (customer_id, type, reason) WHERE status <> 'resolved';
CREATE INDEX alerts_owner ON alerts (owner_id, status, due_at);

-- Which survey answers, order events and tickets the detector has seen.
CREATE TABLE detections (
    source      TEXT NOT NULL,
    source_id   INTEGER NOT NULL,
    alert_id    INTEGER REFERENCES alerts (id) ON DELETE SET NULL,
    detected_at DATETIME NOT NULL,
    PRIMARY KEY (source, source_id)
);

CREATE TABLE assignment_log (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    from_id     INTEGER REFERENCES staff (id),
    to_id       INTEGER REFERENCES staff (id),
    rule        TEXT NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    at          DATETIME NOT NULL
);
CREATE INDEX assignment_log_customer ON assignment_log (customer_id, at);

CREATE TABLE playbooks (
    key        TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    enabled    BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at DATETIME NOT NULL
);
CREATE TABLE playbook_versions (
    key        TEXT NOT NULL REFERENCES playbooks (key) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (key, version)
);

CREATE TABLE enrollments (
    id               INTEGER PRIMARY KEY,
    playbook_key     TEXT NOT NULL,
    playbook_version INTEGER NOT NULL,
    customer_id      INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    status           TEXT NOT NULL CHECK (status IN ('active', 'done', 'exited', 'failed')),
    step             INTEGER NOT NULL DEFAULT 0,
    next_run_at      DATETIME,
    lease_owner      TEXT NOT NULL DEFAULT '',
    lease_until      DATETIME,
    fence            INTEGER NOT NULL DEFAULT 0,
    trigger_ref      TEXT NOT NULL DEFAULT '',
    alert_id         INTEGER REFERENCES alerts (id) ON DELETE SET NULL,
    outcome          TEXT NOT NULL DEFAULT '',
    success_by       DATETIME,
    started_at       DATETIME NOT NULL,
    ended_at         DATETIME,
    FOREIGN KEY (playbook_key, playbook_version) REFERENCES playbook_versions (key, version)
);
CREATE INDEX enrollments_due ON enrollments (status, next_run_at);
CREATE INDEX enrollments_customer ON enrollments (customer_id, playbook_key, started_at);
-- A customer is in a playbook at most once at a time.
CREATE UNIQUE INDEX enrollments_active ON enrollments (playbook_key, customer_id) WHERE status = 'active';

CREATE TABLE enrollment_log (
    id            INTEGER PRIMARY KEY,
    enrollment_id INTEGER NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    step          INTEGER NOT NULL,
    action        TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    at            DATETIME NOT NULL
);
CREATE INDEX enrollment_log_enrollment ON enrollment_log (enrollment_id, id);

CREATE TABLE tasks (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    customer_id     INTEGER REFERENCES customers (id) ON DELETE CASCADE,
    owner_id        INTEGER REFERENCES staff (id),
    title           TEXT NOT NULL,
    detail          TEXT NOT NULL DEFAULT '',
    due_at          DATETIME NOT NULL,
    remind_at       DATETIME,
    status          TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    source          TEXT NOT NULL CHECK (source IN ('playbook', 'alert', 'manual')),
    alert_id        INTEGER REFERENCES alerts (id) ON DELETE SET NULL,
    enrollment_id   INTEGER REFERENCES enrollments (id) ON DELETE SET NULL,
    completed_at    DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX tasks_owner ON tasks (owner_id, status, due_at);

-- Secret calendar feed tokens (SHA-256 of the token, as API keys).
CREATE TABLE calendar_feeds (
    token_hash TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL
);

-- The outbox: a message commits in the same transaction as what caused it.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    customer_id     INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp', 'webhook')),
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
    updated_at      DATETIME NOT NULL
);
CREATE INDEX messages_due ON messages (status, due_at);
CREATE INDEX messages_customer ON messages (customer_id, created_at);

-- Every gateway call, written (and committed) before the call.
CREATE TABLE message_attempts (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    fence       INTEGER NOT NULL,
    started_at  DATETIME NOT NULL,
    finished_at DATETIME,
    outcome     TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX message_attempts_message ON message_attempts (message_id, id);

-- Delivery reports from gateways; event_id de-duplicates replays.
CREATE TABLE message_events (
    id          INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    message_id  INTEGER REFERENCES messages (id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    occurred_at DATETIME NOT NULL,
    received_at DATETIME NOT NULL
);

-- Frequency caps: messages reserved per customer, channel and local day.
CREATE TABLE send_counters (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    day         TEXT NOT NULL,
    sent        INTEGER NOT NULL,
    PRIMARY KEY (customer_id, channel, day)
);
