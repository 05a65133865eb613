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
