-- The inbox at scale (100,000 open alerts, 50,000 tasks on 1,000,000
-- customers): its pages walk these instead of sorting every open row.
-- The CASE is the urgency order of store.AlertFilter.order, written the
-- same way so the planner matches it.
CREATE INDEX alerts_queue ON alerts (status, (CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END), due_at, id);
CREATE INDEX tasks_queue ON tasks (status, due_at, id);
-- A customer's tasks on the 360 (the owner index does not lead with them).
CREATE INDEX tasks_customer ON tasks (customer_id, status, due_at);
