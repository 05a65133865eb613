-- A customer's public loyalty card: a link with a random token of 128
-- bits, kept only as its SHA-256 hash (the link itself goes to the
-- customer). A new link revokes the customer's earlier ones.
CREATE TABLE loyalty_cards (
    token_hash  TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    created_at  DATETIME NOT NULL,
    revoked_at  DATETIME
);
CREATE INDEX loyalty_cards_customer ON loyalty_cards (customer_id);
