-- 002 applicants, their cases, and each case's history.
--
-- ID numbers and phone numbers are personal information (PIPL): stored only encrypted
-- (AES-GCM, with the id of the key that sealed them so keys can rotate), with a keyed hash
-- for exact lookup and a masked form for lists. The server never decrypts to search.

-- Which consultants look after which client companies ("by consultant" filters).
CREATE TABLE company_consultants (
    agency_id   uuid NOT NULL,
    company_id  uuid NOT NULL,
    user_id     uuid NOT NULL,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, company_id, user_id),
    FOREIGN KEY (agency_id, company_id) REFERENCES companies,
    FOREIGN KEY (agency_id, user_id) REFERENCES users
);
CREATE INDEX company_consultants_by_user ON company_consultants (agency_id, user_id);

CREATE TABLE applicants (
    agency_id            uuid NOT NULL,
    applicant_id         uuid NOT NULL DEFAULT gen_random_uuid(),
    company_id           uuid NOT NULL,
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    id_number_sealed     bytea NOT NULL,
    id_number_key        text NOT NULL,
    id_number_lookup     bytea NOT NULL CHECK (length(id_number_lookup) = 32),
    id_number_masked     text NOT NULL,
    birth_date           date NOT NULL,
    gender               text NOT NULL CHECK (gender IN ('male', 'female')),
    phone_sealed         bytea,
    phone_key            text,
    phone_masked         text,
    -- Everything the points estimate and the stage rules read, as one document the
    -- CaseloadCore types define (education, title/skill, permit dates, insurance months, ...).
    profile              jsonb NOT NULL DEFAULT '{}',
    archive              jsonb NOT NULL DEFAULT '{}',
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, applicant_id),
    -- One person per agency: the same person at a new employer is a transfer, not a duplicate.
    UNIQUE (agency_id, id_number_lookup),
    FOREIGN KEY (agency_id, company_id) REFERENCES companies,
    CHECK ((phone_sealed IS NULL) = (phone_key IS NULL))
);
CREATE INDEX applicants_by_company ON applicants (agency_id, company_id, name, applicant_id);
CREATE INDEX applicants_by_name ON applicants (agency_id, name, applicant_id);

-- Employers over time: a transfer closes one row and opens another; history is kept.
CREATE TABLE applicant_employments (
    agency_id    uuid NOT NULL,
    applicant_id uuid NOT NULL,
    company_id   uuid NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz,
    PRIMARY KEY (agency_id, applicant_id, started_at),
    FOREIGN KEY (agency_id, applicant_id) REFERENCES applicants,
    FOREIGN KEY (agency_id, company_id) REFERENCES companies
);

CREATE TABLE cases (
    agency_id        uuid NOT NULL,
    case_id          uuid NOT NULL DEFAULT gen_random_uuid(),
    applicant_id     uuid NOT NULL,
    company_id       uuid NOT NULL,
    kind             text NOT NULL,
    stage            text NOT NULL,
    status           text NOT NULL CHECK (status IN ('active', 'on_hold', 'withdrawn', 'closed')),
    -- The case's state as CaseloadCore's CaseState encodes it (recorded stage data etc.).
    state            jsonb NOT NULL,
    stage_entered_at timestamptz NOT NULL DEFAULT now(),
    -- When the time allowed in the current stage runs out; null = no limit. Fixed on entry.
    stage_due_at     timestamptz,
    version          integer NOT NULL DEFAULT 1,
    opened_at        timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz,
    PRIMARY KEY (agency_id, case_id),
    FOREIGN KEY (agency_id, applicant_id) REFERENCES applicants,
    FOREIGN KEY (agency_id, company_id) REFERENCES companies
);
CREATE INDEX cases_by_opened ON cases (agency_id, opened_at, case_id);
CREATE INDEX cases_by_company ON cases (agency_id, company_id, opened_at, case_id);
CREATE INDEX cases_by_applicant ON cases (agency_id, applicant_id);
CREATE INDEX cases_due ON cases (agency_id, stage_due_at) WHERE status = 'active';

-- Everything that ever happened to a case, in order. Append-only: the server's role may
-- insert and read, never update or delete.
CREATE TABLE case_history (
    agency_id  uuid NOT NULL,
    case_id    uuid NOT NULL,
    seq        integer NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    user_id    uuid NOT NULL,
    action     text NOT NULL CHECK (action IN ('open', 'advance', 'record', 'return', 'withdraw', 'hold', 'resume', 'note')),
    from_stage text,
    to_stage   text,
    data       jsonb NOT NULL DEFAULT '{}',
    reason     text,
    overrides  text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (agency_id, case_id, seq),
    FOREIGN KEY (agency_id, case_id) REFERENCES cases,
    FOREIGN KEY (agency_id, user_id) REFERENCES users
);
CREATE INDEX case_history_overrides ON case_history (agency_id, at) WHERE overrides <> '{}';

-- An agency's own versions of the points rules (the built-in brief values need no row).
CREATE TABLE points_rule_versions (
    agency_id      uuid NOT NULL,
    version        text NOT NULL CHECK (length(version) BETWEEN 1 AND 50),
    effective_from date NOT NULL,
    rules          jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, version)
);

-- An agency's own time allowed per stage, overriding the case kind's default.
CREATE TABLE stage_time_limits (
    agency_id    uuid NOT NULL,
    kind         text NOT NULL,
    stage        text NOT NULL,
    allowed_days integer CHECK (allowed_days > 0),
    PRIMARY KEY (agency_id, kind, stage)
);

ALTER TABLE company_consultants ENABLE ROW LEVEL SECURITY;
ALTER TABLE applicants ENABLE ROW LEVEL SECURITY;
ALTER TABLE applicant_employments ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE points_rule_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE stage_time_limits ENABLE ROW LEVEL SECURITY;

CREATE POLICY agency_isolation ON company_consultants
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON applicants
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON applicant_employments
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON cases
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON case_history
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON points_rule_versions
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON stage_time_limits
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());

GRANT SELECT, INSERT, DELETE ON company_consultants TO caseload_app;
GRANT SELECT, INSERT, UPDATE ON applicants, applicant_employments, cases TO caseload_app;
GRANT SELECT, INSERT ON case_history TO caseload_app;
GRANT SELECT, INSERT ON points_rule_versions TO caseload_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON stage_time_limits TO caseload_app;
