-- 019 consultants import for their own companies: an import is visible to owners and managers,
-- and to the user who started it (a consultant sees only their own imports, and through them
-- only their own staged rows). What a consultant's import writes is still held to their
-- companies by the applicants' and cases' own company_scope policies (schema/008).
DROP POLICY company_scope ON imports;
CREATE POLICY company_scope ON imports AS RESTRICTIVE
    USING ((SELECT caseload_sees_all_companies()) OR user_id = (SELECT caseload_current_user()));
