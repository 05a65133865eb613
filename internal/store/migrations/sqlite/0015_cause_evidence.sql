-- The words of a customer's comment or ticket that named an alert's root
-- cause (the classifier's evidence), as a JSON array: shown beside the
-- cause, so that whoever works the alert sees why it says "quality".
ALTER TABLE alerts ADD COLUMN cause_evidence TEXT NOT NULL DEFAULT '';
