-- 020 a consultant's caseload as a set, for the "by consultant" filters.
--
-- caseload_in_caseload(agency, company, user) (007) is evaluated for every row it filters, an
-- EXISTS on company_consultants per row: at 50,000 cases a consultant's overdue list read
-- 28,707 candidate deadlines and ran the EXISTS for each (237 ms). The filters now ask instead
-- whether the row's company is IN this set, which does not depend on the row: PostgreSQL
-- computes it once per statement (a hashed subplan, also in a generic plan with the user as a
-- parameter) and probes it per row (23 ms for the same list). A null user means no filter,
-- written at the call site as `$user IS NULL OR company_id IN (SELECT caseload_companies(...))`.
CREATE FUNCTION caseload_companies(p_agency uuid, p_user uuid) RETURNS SETOF uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
        SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = p_agency AND cc.user_id = p_user
    $$;

GRANT EXECUTE ON FUNCTION caseload_companies(uuid, uuid) TO caseload_app;
