-- Stamp cards: every stamp given and every full card's reward is an entry,
-- never changed or removed; a customer's card holds the sum of their
-- entries for it. A full card is an entry of minus the card's size, tied to
-- the reward coupon it issued.
CREATE TABLE loyalty_stamps (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    card        TEXT NOT NULL,
    stamps      INTEGER NOT NULL CHECK (stamps <> 0),
    op          TEXT NOT NULL UNIQUE,    -- the source, once: order:O-1:stamps:coffee, counter:KEY…
    order_id    INTEGER REFERENCES orders (id),
    staff_id    INTEGER REFERENCES staff (id),
    coupon_id   INTEGER REFERENCES coupons (id),
    created_at  DATETIME NOT NULL,
    CHECK ((stamps < 0) = (coupon_id IS NOT NULL))
);
CREATE INDEX loyalty_stamps_customer ON loyalty_stamps (customer_id, card);
CREATE TRIGGER loyalty_stamps_no_update BEFORE UPDATE ON loyalty_stamps
BEGIN SELECT RAISE(ABORT, 'loyalty_stamps is append-only'); END;
CREATE TRIGGER loyalty_stamps_no_delete BEFORE DELETE ON loyalty_stamps
BEGIN SELECT RAISE(ABORT, 'loyalty_stamps is append-only'); END;
