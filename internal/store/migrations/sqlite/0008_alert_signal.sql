-- When the signal behind an alert happened (the survey answer, the refused
-- delivery), as opposed to when detection raised the alert: the dashboard's
-- causes by month and their drill-down count by it. Alerts raised before
-- this column existed are dated by when they were raised.
ALTER TABLE alerts ADD COLUMN signal_at DATETIME;
UPDATE alerts SET signal_at = created_at;
CREATE INDEX alerts_signal ON alerts (type, signal_at);
