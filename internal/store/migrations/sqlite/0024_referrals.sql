-- Refer a friend. Every customer may have one referral code, made when it
-- is first shown; a friend who signs up with it is a referral: pending
-- until their first order, ordered until its return window has passed,
-- then completed (both rewarded) or refused with why (self, same_phone,
-- same_email, same_address, not_new, cap, returned). A customer is
-- referred once: the first code they came with that was not refused.
CREATE TABLE referral_codes (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    code        TEXT NOT NULL UNIQUE,
    created_at  DATETIME NOT NULL
);

CREATE TABLE referrals (
    id           INTEGER PRIMARY KEY,
    referrer_id  INTEGER NOT NULL REFERENCES customers (id),
    friend_id    INTEGER NOT NULL REFERENCES customers (id),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'ordered', 'completed', 'refused')),
    reason       TEXT NOT NULL DEFAULT '',
    order_id     INTEGER REFERENCES orders (id),
    coupon_code  TEXT NOT NULL DEFAULT '', -- the friend's welcome coupon, when the offer gives one
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    CHECK ((status = 'refused') = (reason <> ''))
);
CREATE INDEX referrals_referrer ON referrals (referrer_id, status, updated_at);
CREATE UNIQUE INDEX referrals_friend ON referrals (friend_id) WHERE status <> 'refused';
