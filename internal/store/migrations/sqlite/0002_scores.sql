-- Scoring runs (retain score) and each customer's scores. A run's summary is
-- kept for good, so trends can be drawn; customer rows are kept for the
-- latest runs only (see store.PruneScores).

CREATE TABLE scoring_runs (
    id              INTEGER PRIMARY KEY,
    started_at      DATETIME NOT NULL,
    finished_at     DATETIME,
    status          TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    model           TEXT NOT NULL,
    model_version   TEXT NOT NULL,
    time_unit       TEXT NOT NULL,
    calibration_end DATETIME NOT NULL,
    horizon_days    INTEGER NOT NULL,
    discount_rate   REAL NOT NULL,
    params          TEXT NOT NULL DEFAULT '{}',
    log_likelihood  REAL,
    fit             TEXT NOT NULL DEFAULT '{}',
    summary         TEXT NOT NULL DEFAULT '{}',
    customers       INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT ''
);

CREATE TABLE customer_scores (
    run_id             INTEGER NOT NULL REFERENCES scoring_runs (id) ON DELETE CASCADE,
    customer_id        INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    frequency          INTEGER NOT NULL,
    recency            REAL NOT NULL,
    age                REAL NOT NULL,
    monetary           REAL NOT NULL,
    currency           TEXT NOT NULL,
    p_alive            REAL NOT NULL,
    expected_purchases REAL NOT NULL,
    expected_spend     REAL NOT NULL,
    clv                REAL NOT NULL,
    next_order_at      DATETIME,
    p_next_order       REAL NOT NULL,
    rfm_r              INTEGER NOT NULL,
    rfm_f              INTEGER NOT NULL,
    rfm_m              INTEGER NOT NULL,
    segment            TEXT NOT NULL,
    health             REAL NOT NULL,
    flags              TEXT NOT NULL DEFAULT '[]',
    factors            TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (run_id, customer_id)
);
CREATE INDEX customer_scores_customer ON customer_scores (customer_id, run_id);
