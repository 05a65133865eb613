-- Each scoring run places every buyer in a lifecycle stage (new, active,
-- loyal, won back, at risk, lapsed; churned when declared). The narrow copy
-- carries it too: the dashboard's "at risk" and the list's stage filter read
-- it there, so every page counts at risk the same way.
ALTER TABLE customer_scores ADD COLUMN stage TEXT NOT NULL DEFAULT '';
ALTER TABLE customer_list_scores ADD COLUMN stage TEXT NOT NULL DEFAULT '';
CREATE INDEX customer_list_scores_stage ON customer_list_scores (run_id, stage, customer_id);
-- A customer with no order yet is a prospect, not new.
UPDATE customers SET stage = 'prospect' WHERE stage = 'new' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = customers.id);
