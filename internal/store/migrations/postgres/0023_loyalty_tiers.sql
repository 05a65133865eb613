-- A customer's tier: which, since when, and when it is next reviewed (the
-- end of its period and the grace after it). Kept because a tier outlives
-- the points that reached it until its review; the points themselves are
-- the ledger's.
CREATE TABLE loyalty_tiers (
    customer_id BIGINT PRIMARY KEY REFERENCES customers (id),
    tier        TEXT NOT NULL,
    since       TIMESTAMPTZ NOT NULL,
    review_at   TIMESTAMPTZ NOT NULL
);
