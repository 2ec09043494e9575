-- 017 an agency's own notice texts (caseload notice): the message a consultant sends the
-- applicant or the HR officer for a case's next step. Without a row the built-in text of
-- CaseloadCore's NoticeTemplates applies; a row replaces it for one kind, step and audience.
-- The server checks the body (known placeholders, at most 2000 characters) before storing.
CREATE TABLE notice_templates (
    agency_id  uuid NOT NULL REFERENCES agencies,
    case_kind  text NOT NULL CHECK (length(case_kind) BETWEEN 1 AND 50),
    step       text NOT NULL CHECK (length(step) BETWEEN 1 AND 50),
    audience   text NOT NULL CHECK (audience IN ('applicant', 'hr')),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    updated_by uuid,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, case_kind, step, audience),
    FOREIGN KEY (agency_id, updated_by) REFERENCES users
);

ALTER TABLE notice_templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY agency_isolation ON notice_templates
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
-- Everyone of the agency reads them (a consultant renders notices); owners and managers
-- (and the server's jobs) change them.
CREATE POLICY managers_insert ON notice_templates AS RESTRICTIVE FOR INSERT WITH CHECK ((SELECT caseload_sees_all_companies()));
CREATE POLICY managers_update ON notice_templates AS RESTRICTIVE FOR UPDATE USING ((SELECT caseload_sees_all_companies()));
CREATE POLICY managers_delete ON notice_templates AS RESTRICTIVE FOR DELETE USING ((SELECT caseload_sees_all_companies()));

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON notice_templates
    FOR EACH ROW EXECUTE FUNCTION caseload_audit('notice_template', 'case_kind');

GRANT SELECT, INSERT, UPDATE, DELETE ON notice_templates TO caseload_app;
