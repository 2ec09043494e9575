-- 014 two kinds of dates, and the events that discharge them.
--
-- "The account may be created from" and "materials may be delivered from" are earliest dates
-- (windows), yet they were stored like due dates and turned `missed` the day after: a
-- consultant's overdue list was almost all false alarms. Each deadline now has the kind its
-- rule gives (CaseloadCore's DeadlineRule.kind):
--   due          a latest date: open, then missed once it passes unmet
--   window       an earliest date: waiting until it comes, then open; never missed
--   expectation  expected by (the city's review): never missed
-- and three more states: waiting (a window not yet open), satisfied (its event happened: the
-- stage reached, the originals collected, the renewal approved) and cancelled (its case was
-- withdrawn or closed). What is already stored is re-derived from the case history and the
-- custody ledger by `caseload-server migrate` after this migration (recorded in
-- caseload_data_migrations, each change in deadline_history with reason 're-derived').

ALTER TABLE deadlines ADD COLUMN kind text NOT NULL DEFAULT 'due' CHECK (kind IN ('due', 'window', 'expectation'));
UPDATE deadlines SET kind = 'expectation' WHERE is_expectation;
UPDATE deadlines SET kind = 'window' WHERE rule_id IN ('account_opens', 'delivery_opens');

ALTER TABLE deadlines DROP CONSTRAINT deadlines_state_check;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_state_check
    CHECK (state IN ('waiting', 'open', 'done', 'waived', 'missed', 'satisfied', 'cancelled'));
ALTER TABLE deadlines ADD CONSTRAINT deadlines_missed_is_due CHECK (state <> 'missed' OR kind = 'due') NOT VALID;
ALTER TABLE deadlines ADD CONSTRAINT deadlines_waiting_is_window CHECK (state <> 'waiting' OR kind = 'window');

ALTER TABLE deadline_history DROP CONSTRAINT deadline_history_action_check;
ALTER TABLE deadline_history ADD CONSTRAINT deadline_history_action_check
    CHECK (action IN ('created', 'recomputed', 'done', 'waived', 'missed', 'reopened', 'waiting', 'opened', 'satisfied', 'cancelled', 're-derived'));

-- What "overdue" means, in one place for every list, count and report: a due date still
-- pending after its day. Windows and expectations never are. Inlined by the planner.
CREATE FUNCTION caseload_overdue(kind text, state text, due date, today date) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT kind = 'due' AND state IN ('open', 'missed') AND due < today $$;

-- Pending dates by case and date, for "what is next".
CREATE INDEX deadlines_pending_by_case ON deadlines (agency_id, case_id, due_date)
    WHERE state IN ('waiting', 'open', 'missed') AND case_id IS NOT NULL;

-- Data migrations that run in the server's code after the SQL ones (the rules are data there).
CREATE TABLE caseload_data_migrations (
    name     text PRIMARY KEY,
    done_at  timestamptz NOT NULL DEFAULT now(),
    summary  text NOT NULL
);
REVOKE ALL ON caseload_data_migrations FROM PUBLIC;
