-- Trust: API key scopes, two-factor sign-in, an audit log people can search.

-- Keys made before scopes existed could do everything; they keep that (an
-- admin sees it in the key list and can replace them with narrower ones).
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'events:write,read,write,admin';

-- TOTP (RFC 6238): the shared secret, and when the staff member proved they
-- hold it. A secret without enabled_at is an enrolment not yet confirmed.
ALTER TABLE staff ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN totp_enabled_at DATETIME;
-- The last time step whose code was accepted: a code works once (RFC 6238 §5.2).
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- Recovery codes, hashed like API keys; each works once.
CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    staff_id  INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL UNIQUE,
    used_at   DATETIME
);
CREATE INDEX recovery_codes_staff ON recovery_codes (staff_id);

-- A session whose password was right but whose second factor is still due
-- opens only the code form.
ALTER TABLE sessions ADD COLUMN second_factor_due BOOLEAN NOT NULL DEFAULT FALSE;

CREATE INDEX audit_log_action ON audit_log (action, at);
