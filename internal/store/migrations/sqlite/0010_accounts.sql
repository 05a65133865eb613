-- Accounts run from the browser: one-time links that set a password
-- (an invitation or an admin's reset), and a password that must be changed
-- at the next sign-in (the demo's printed one, a reset's).

ALTER TABLE staff ADD COLUMN password_change_due BOOLEAN NOT NULL DEFAULT FALSE;

-- Only the hash of a link's token is kept, as for sessions and API keys.
CREATE TABLE account_links (
    token_hash TEXT PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    created_by TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);
CREATE INDEX account_links_staff ON account_links (staff_id);
