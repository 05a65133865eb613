-- Imports started in the browser are queued and run by the "imports" job,
-- not inside the request: a file of a million rows outlives any request
-- timeout. The row says how far the run has got (bytes of the file read),
-- who asked for it, what it was asked to do (the options, as JSON), and
-- keeps the first refused rows with their reason codes so the result page
-- says them in its reader's language.
ALTER TABLE imports DROP CONSTRAINT imports_status_check;
ALTER TABLE imports ADD CONSTRAINT imports_status_check CHECK (status IN ('queued', 'running', 'done', 'failed'));
ALTER TABLE imports ADD COLUMN queued_at TIMESTAMPTZ;
ALTER TABLE imports ADD COLUMN source_path TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN options TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN requested_by TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN bytes_read BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN bytes_total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN refused TEXT NOT NULL DEFAULT '';
CREATE INDEX imports_queue ON imports (status, id);
