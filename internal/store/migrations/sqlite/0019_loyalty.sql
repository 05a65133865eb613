-- The loyalty ledger: every change of a customer's points is an entry, and
-- entries are never changed or removed (corrections are entries too). An
-- earn entry is a lot; a debit (a redemption, an expiry, a reversal, a
-- staff adjustment down) draws on one lot, so a spend over three lots is
-- three entries of one operation (op). Balances and what is left of each
-- lot are kept beside it for reading, guarded not to go below zero, and
-- `retain loyalty verify` checks both against the entries.
CREATE TABLE loyalty_ledger (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL CHECK (kind IN ('earn', 'redeem', 'expire', 'adjust', 'reverse')),
    points      INTEGER NOT NULL CHECK (points <> 0),
    op          TEXT NOT NULL,              -- the operation, once: order:O-1:earn, redeem:KEY, expire:LOT…
    lot_id      INTEGER NOT NULL DEFAULT 0, -- a debit: the earn entry it draws on; 0 for a credit
    order_id    INTEGER REFERENCES orders (id),
    staff_id    INTEGER REFERENCES staff (id),
    reason      TEXT NOT NULL DEFAULT '',
    expires_at  DATETIME,                   -- a credit: when what is left of it expires
    created_at  DATETIME NOT NULL,
    CHECK ((points > 0) = (lot_id = 0))
);
CREATE UNIQUE INDEX loyalty_ledger_op ON loyalty_ledger (op, lot_id);
CREATE INDEX loyalty_ledger_customer ON loyalty_ledger (customer_id, id);
CREATE INDEX loyalty_ledger_order ON loyalty_ledger (order_id) WHERE order_id IS NOT NULL;

CREATE TRIGGER loyalty_ledger_no_update BEFORE UPDATE ON loyalty_ledger
BEGIN SELECT RAISE(ABORT, 'loyalty_ledger is append-only'); END;
CREATE TRIGGER loyalty_ledger_no_delete BEFORE DELETE ON loyalty_ledger
BEGIN SELECT RAISE(ABORT, 'loyalty_ledger is append-only'); END;

CREATE TABLE loyalty_accounts (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    balance     INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    updated_at  DATETIME NOT NULL
);

CREATE TABLE loyalty_lots (
    entry_id    INTEGER PRIMARY KEY REFERENCES loyalty_ledger (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    remaining   INTEGER NOT NULL CHECK (remaining >= 0),
    earned_at   DATETIME NOT NULL,
    expires_at  DATETIME
);
CREATE INDEX loyalty_lots_live ON loyalty_lots (customer_id) WHERE remaining > 0;
