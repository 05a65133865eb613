-- Core v2: the change log, consumer cursors, durable timers and named jobs.
--
-- Every write that comes in through core.Ingest appends typed rows to
-- changes in the same transaction. A consumer (detection, and later loyalty,
-- surveys, SLAs) reads the log after its cursor and commits its effects
-- together with the cursor's advance, so each change has each effect once.
CREATE TABLE changes (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,    -- customer.created, order.placed, order.event, ticket.opened, ...
    subject_id  INTEGER NOT NULL, -- the row the change is about, in the table its kind names
    customer_id INTEGER,
    detail      TEXT NOT NULL DEFAULT '', -- order.event: the event type; ticket.updated: the status
    at          DATETIME NOT NULL,        -- when it happened (placed, occurred, answered)
    recorded_at DATETIME NOT NULL
);

CREATE TABLE consumer_cursors (
    name       TEXT PRIMARY KEY,
    position   INTEGER NOT NULL DEFAULT 0, -- the last change id consumed
    updated_at DATETIME NOT NULL
);

-- Time-based reactions: written with their cause, fired once by the timers
-- job (marking a timer fired commits with its effect).
CREATE TABLE timers (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,  -- e.g. order.late:42, renewal:7:2027-01-31:30, alert.snooze:9:1767225600
    kind        TEXT NOT NULL,         -- order.late, renewal, alert.snooze
    subject_id  INTEGER NOT NULL,
    customer_id INTEGER,
    due_at      DATETIME NOT NULL,
    fired_at    DATETIME,
    created_at  DATETIME NOT NULL
);
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL;

-- Named, leased background jobs: one row each, so that several serve
-- processes on one database run each job once per period.
CREATE TABLE jobs (
    name             TEXT PRIMARY KEY,
    lease_owner      TEXT NOT NULL DEFAULT '',
    lease_until      DATETIME,
    fence            INTEGER NOT NULL DEFAULT 0,
    next_due_at      DATETIME NOT NULL,
    last_started_at  DATETIME,
    last_finished_at DATETIME,
    last_seconds     REAL NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    last_result      TEXT NOT NULL DEFAULT '',
    runs             INTEGER NOT NULL DEFAULT 0,
    failures         INTEGER NOT NULL DEFAULT 0
);

-- The latest runs of each job (FinishJob keeps 100 a job): who ran it, when
-- and how it ended; `retain jobs list` and the tests read it.
CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    started_at  DATETIME NOT NULL,
    finished_at DATETIME NOT NULL,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX job_runs_name ON job_runs (name, id);

-- Detection reads the change log now; what it saw is its cursor.
DROP TABLE detections;

-- Settings carry a version that grows with every change, so a running job
-- notices a change with one small read.
ALTER TABLE settings ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- A message whose channel is not set up waits for it (and is not claimed)
-- instead of being dropped.
ALTER TABLE messages ADD COLUMN waiting_for TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_waiting ON messages (waiting_for) WHERE waiting_for <> '';
