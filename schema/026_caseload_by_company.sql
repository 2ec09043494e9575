-- 026 a consultant's late cases by company, and the sweep's candidates on their own.
--
-- The "by consultant" filters now test `company_id = ANY(ARRAY(SELECT caseload_companies(…)))`
-- instead of 020's `IN (SELECT …)`: the array is computed once per statement (an init plan)
-- and, unlike the hashed subquery, can be an index condition, so PostgreSQL reads the
-- caseload's companies' rows instead of the agency's and drops the rest. On a 50,000-case
-- agency, a consultant's 1,195 pending deadlines: 7.2 -> 1.8 ms; their 856 late cases: 42 ->
-- 24 ms with this index (they were found among the agency's 20,908 late ones).
CREATE INDEX cases_due_by_company ON cases (agency_id, company_id, stage_due_at) WHERE status = 'active';

-- What the clock moves (DeadlineStore.sweep), which writers' deadline lists and agendas look
-- for first: deadlines_by_due also holds the open windows and expectations whose day passed,
-- and read them all to find none (10–15 ms per sweep on the 50,000-case agency).
CREATE INDEX deadlines_due_to_sweep ON deadlines (agency_id, due_date) WHERE state = 'open' AND kind = 'due';
CREATE INDEX deadlines_windows_to_open ON deadlines (agency_id, due_date) WHERE state = 'waiting' AND kind = 'window';
