-- 007 one definition of "a consultant's caseload": the companies assigned to them. Every
-- "by consultant" filter calls it instead of repeating the subquery. Simple, STABLE and
-- written in SQL, so the planner inlines it like the subquery it replaces; a null user
-- means "no consultant filter".

CREATE FUNCTION caseload_in_caseload(p_agency uuid, p_company uuid, p_user uuid) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT p_user IS NULL OR EXISTS (
            SELECT 1 FROM company_consultants cc
            WHERE cc.agency_id = p_agency AND cc.company_id = p_company AND cc.user_id = p_user)
    $$;
