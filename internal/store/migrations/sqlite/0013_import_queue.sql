-- Imports started in the browser are queued and run by the "imports" job,
-- not inside the request: a file of a million rows outlives any request
-- timeout. The row says how far the run has got (bytes of the file read),
-- who asked for it, what it was asked to do (the options, as JSON), and
-- keeps the first refused rows with their reason codes so the result page
-- says them in its reader's language. SQLite cannot change a CHECK in
-- place, so the table is rebuilt with the new status and columns.
CREATE TABLE imports_new (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    format        TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    rows_read     INTEGER NOT NULL DEFAULT 0,
    rows_ok       INTEGER NOT NULL DEFAULT 0,
    rows_rejected INTEGER NOT NULL DEFAULT 0,
    rejects_path  TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    started_at    DATETIME NOT NULL,
    finished_at   DATETIME,
    queued_at     DATETIME,
    source_path   TEXT NOT NULL DEFAULT '',
    options       TEXT NOT NULL DEFAULT '',
    requested_by  TEXT NOT NULL DEFAULT '',
    bytes_read    INTEGER NOT NULL DEFAULT 0,
    bytes_total   INTEGER NOT NULL DEFAULT 0,
    refused       TEXT NOT NULL DEFAULT ''
);
INSERT INTO imports_new (id, kind, format, file_name, file_sha256, status, rows_read, rows_ok, rows_rejected, rejects_path, error, started_at, finished_at)
    SELECT id, kind, format, file_name, file_sha256, status, rows_read, rows_ok, rows_rejected, rejects_path, error, started_at, finished_at FROM imports;
DROP TABLE imports;
ALTER TABLE imports_new RENAME TO imports;
CREATE INDEX imports_queue ON imports (status, id);
