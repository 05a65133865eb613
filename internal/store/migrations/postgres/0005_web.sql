-- Staff sign-in sessions for the web UI. Only the SHA-256 of the session
-- token is stored; a session ends when it is idle too long, at its absolute
-- end, at logout, or when its user is disabled.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    staff_id     BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_staff ON sessions (staff_id);

-- The score columns the customer list filters and sorts on, narrow, per
-- kept scoring run: scanning a million of these is cheap, scanning the
-- full score rows (with their explanations) is not.
CREATE TABLE customer_list_scores (
    run_id      BIGINT NOT NULL REFERENCES scoring_runs (id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    segment     TEXT NOT NULL,
    health      DOUBLE PRECISION NOT NULL,
    p_alive     DOUBLE PRECISION NOT NULL,
    clv         DOUBLE PRECISION NOT NULL,
    currency    TEXT NOT NULL,
    PRIMARY KEY (run_id, customer_id)
);
