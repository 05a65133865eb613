-- A debit reads a customer's live lots in the order it spends them and
-- stops when it has enough (0019's index found them all, unsorted).
CREATE INDEX loyalty_lots_spend ON loyalty_lots (customer_id, (expires_at IS NULL), expires_at, earned_at, entry_id) WHERE remaining > 0;

-- Coupons: what one gives (kind, amount or percent, a free item, store
-- credit) and on what terms. uses and left_minor are kept beside the
-- redemptions for the guarded updates that stop a coupon being used past
-- its limit; `retain loyalty verify` checks them against the redemptions.
CREATE TABLE coupons (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,          -- normalised: upper case, no dashes
    kind            TEXT NOT NULL CHECK (kind IN ('amount', 'percent', 'free_item', 'store_credit')),
    amount_minor    INTEGER NOT NULL DEFAULT 0,
    percent         INTEGER NOT NULL DEFAULT 0,
    item            TEXT NOT NULL DEFAULT '',
    currency        TEXT NOT NULL,
    min_spend_minor INTEGER NOT NULL DEFAULT 0,
    max_uses        INTEGER NOT NULL DEFAULT 1,    -- 0: no limit
    per_customer    INTEGER NOT NULL DEFAULT 0,    -- 0: no limit
    customer_id     INTEGER REFERENCES customers (id), -- bound to one customer; NULL: anyone with the code
    uses            INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0), -- held and confirmed redemptions
    left_minor      INTEGER NOT NULL DEFAULT 0 CHECK (left_minor >= 0), -- store credit not yet held or spent
    expires_at      DATETIME,
    source          TEXT NOT NULL,                 -- reward, playbook, manual, batch
    op              TEXT NOT NULL UNIQUE,          -- the issue's key: issuing twice gives one coupon
    batch           TEXT NOT NULL DEFAULT '',
    reward          TEXT NOT NULL DEFAULT '',      -- the catalogue's reward it was bought as
    points          INTEGER NOT NULL DEFAULT 0,    -- what it cost in points
    enrollment_id   INTEGER REFERENCES enrollments (id) ON DELETE SET NULL,
    staff_id        INTEGER REFERENCES staff (id),
    voided_at       DATETIME,
    created_at      DATETIME NOT NULL,
    CHECK (max_uses = 0 OR uses <= max_uses)
);
CREATE INDEX coupons_customer ON coupons (customer_id, created_at) WHERE customer_id IS NOT NULL;
CREATE INDEX coupons_batch ON coupons (batch, id) WHERE batch <> '';
CREATE INDEX coupons_enrollment ON coupons (enrollment_id) WHERE enrollment_id IS NOT NULL;

-- A redemption: held when a till or an e-shop reserves the coupon for an
-- order, then confirmed with the order or released (by the caller, or by
-- its timer when the hold runs out). Its key is the caller's: the same key
-- is the same redemption.
CREATE TABLE coupon_redemptions (
    id             INTEGER PRIMARY KEY,
    coupon_id      INTEGER NOT NULL REFERENCES coupons (id),
    customer_id    INTEGER REFERENCES customers (id),
    key            TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL CHECK (status IN ('held', 'confirmed', 'released')),
    total_minor    INTEGER NOT NULL,
    discount_minor INTEGER NOT NULL CHECK (discount_minor >= 0),
    order_ref      TEXT NOT NULL DEFAULT '',
    held_until     DATETIME NOT NULL,
    created_at     DATETIME NOT NULL,
    ended_at       DATETIME
);
CREATE INDEX coupon_redemptions_coupon ON coupon_redemptions (coupon_id, status);
CREATE INDEX coupon_redemptions_customer ON coupon_redemptions (customer_id, created_at) WHERE customer_id IS NOT NULL;
