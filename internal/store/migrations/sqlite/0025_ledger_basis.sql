-- What an order's earning was earned on: the net the customer had kept
-- when its return window ended. A refund after it takes back the share of
-- the points that it is of this, so in-window refunds are not counted
-- twice and a multiplier (a tier's, a campaign's, a product's) is taken
-- back as it was given. Entries from before this column take the order's
-- total as their basis.
ALTER TABLE loyalty_ledger ADD COLUMN basis_minor INTEGER;
