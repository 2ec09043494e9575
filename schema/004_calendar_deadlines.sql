-- 004 the working-day calendar an agency counts with, and deadlines derived from rules.
--
-- The shared default calendar (State Council notices, 2025–2026) ships with the server; an
-- agency's own additions and corrections live here and are layered over it. Deadlines record
-- the rule, base date, due date and the explanation of how it was counted, so a consultant
-- can always see why a date is what it is; recomputations are kept in deadline_history.

CREATE TABLE calendar_days (
    agency_id  uuid NOT NULL REFERENCES agencies,
    day        date NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, day)
);

-- Years the agency has entered from a State Council notice: counting into them is no longer
-- provisional.
CREATE TABLE calendar_years (
    agency_id uuid NOT NULL REFERENCES agencies,
    year      integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    PRIMARY KEY (agency_id, year)
);

CREATE TABLE deadlines (
    agency_id      uuid NOT NULL,
    deadline_id    uuid NOT NULL DEFAULT gen_random_uuid(),
    -- The rule it was derived from; null for a deadline set by hand.
    rule_id        text,
    case_id        uuid,
    applicant_id   uuid NOT NULL,
    company_id     uuid NOT NULL,
    title          text NOT NULL,
    base_date      date,
    due_date       date NOT NULL,
    provisional    boolean NOT NULL DEFAULT false,
    is_expectation boolean NOT NULL DEFAULT false,
    explanation    text NOT NULL,
    state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'waived', 'missed')),
    reason         text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, deadline_id),
    FOREIGN KEY (agency_id, case_id) REFERENCES cases,
    FOREIGN KEY (agency_id, applicant_id) REFERENCES applicants,
    FOREIGN KEY (agency_id, company_id) REFERENCES companies
);
-- One derived deadline per rule and case (or per rule and applicant for permit deadlines).
CREATE UNIQUE INDEX deadlines_case_rule ON deadlines (agency_id, case_id, rule_id) WHERE case_id IS NOT NULL AND rule_id IS NOT NULL;
CREATE UNIQUE INDEX deadlines_applicant_rule ON deadlines (agency_id, applicant_id, rule_id) WHERE case_id IS NULL AND rule_id IS NOT NULL;
CREATE INDEX deadlines_by_due ON deadlines (agency_id, state, due_date);

CREATE TABLE deadline_history (
    agency_id   uuid NOT NULL,
    deadline_id uuid NOT NULL,
    seq         integer NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    user_id     uuid,
    action      text NOT NULL CHECK (action IN ('created', 'recomputed', 'done', 'waived', 'missed', 'reopened')),
    old_due     date,
    new_due     date,
    reason      text,
    PRIMARY KEY (agency_id, deadline_id, seq),
    FOREIGN KEY (agency_id, deadline_id) REFERENCES deadlines
);

CREATE TABLE agency_settings (
    agency_id          uuid PRIMARY KEY REFERENCES agencies,
    auto_open_renewals boolean NOT NULL DEFAULT false,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- A renewal opened automatically for a permit expiry: the key makes it happen once.
CREATE TABLE renewals_opened (
    agency_id    uuid NOT NULL,
    applicant_id uuid NOT NULL,
    permit_expiry date NOT NULL,
    case_id      uuid NOT NULL,
    opened_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, applicant_id, permit_expiry),
    FOREIGN KEY (agency_id, case_id) REFERENCES cases
);

ALTER TABLE calendar_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_years ENABLE ROW LEVEL SECURITY;
ALTER TABLE deadlines ENABLE ROW LEVEL SECURITY;
ALTER TABLE deadline_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE agency_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE renewals_opened ENABLE ROW LEVEL SECURITY;

CREATE POLICY agency_isolation ON calendar_days
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON calendar_years
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON deadlines
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON deadline_history
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON agency_settings
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON renewals_opened
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());

GRANT SELECT, INSERT, UPDATE, DELETE ON calendar_days TO caseload_app;
GRANT SELECT, INSERT ON calendar_years TO caseload_app;
GRANT SELECT, INSERT, UPDATE ON deadlines TO caseload_app;
GRANT SELECT, INSERT ON deadline_history TO caseload_app;
GRANT SELECT, INSERT, UPDATE ON agency_settings TO caseload_app;
GRANT SELECT, INSERT ON renewals_opened TO caseload_app;
