-- The customer list's stage filter reads the customers a scoring run did
-- not score (prospects, and those added since) by their declared stage.
CREATE INDEX customers_stage ON customers (stage, id);
