-- A connection may fail as `not_relevant` (the pairing itself was wrong): the matches of either
-- listing no longer suggest the other (issue 14, outcomes teach the ranking).
ALTER TABLE connections DROP CONSTRAINT connections_failure_reason_check;
ALTER TABLE connections ADD CONSTRAINT connections_failure_reason_check CHECK (failure_reason IN ('price_gap',
    'technology_too_early', 'benefit_unclear', 'no_response', 'ip_issue', 'capacity', 'other', 'not_relevant'));
