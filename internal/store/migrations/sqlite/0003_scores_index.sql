-- Scores are read by (run, customer), which the primary key serves. The extra
-- (customer, run) index cost a scoring run of a million customers a random
-- insert per row and a third of its write time. Deleting a customer now scans
-- the kept runs' rows (a few million at most), which is rare.
DROP INDEX customer_scores_customer;
