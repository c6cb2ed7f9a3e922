-- `not_relevant` did not exist before: such failures become `other`.
UPDATE connections SET failure_reason = 'other' WHERE failure_reason = 'not_relevant';
ALTER TABLE connections DROP CONSTRAINT connections_failure_reason_check;
ALTER TABLE connections ADD CONSTRAINT connections_failure_reason_check CHECK (failure_reason IN ('price_gap',
    'technology_too_early', 'benefit_unclear', 'no_response', 'ip_issue', 'capacity', 'other'));
