-- 013 stored dates outside the range clients may send.
--
-- Since this version every date a client sends is refused outside 1900-01-01 … 2100-12-31
-- (CalendarDate.acceptedRange; permit dates also within a window around today). Earlier
-- versions stored what they were given: 9999-12-30 as a permit date made every later case.open
-- for that applicant trap in the calendar walk. This function lists what is stored outside the
-- range, for `caseload-server migrate` to report after migrating (and for an operator to run
-- again after fixing them). It changes nothing: which value was meant is the agency's call.
-- Only the schema owner may run it (it reads every agency).

CREATE FUNCTION caseload_dates_out_of_range()
    RETURNS TABLE (agency_id uuid, entity text, entity_id uuid, field text, value text)
    LANGUAGE sql STABLE
    AS $$
    WITH stored (agency_id, entity, entity_id, field, value) AS (
        SELECT a.agency_id, 'applicant', a.applicant_id, 'birth_date', a.birth_date::text FROM applicants a
        UNION ALL
        SELECT a.agency_id, 'applicant', a.applicant_id, f.key, f.value
        FROM applicants a, jsonb_each_text(a.profile) AS f(key, value)
        WHERE f.key IN ('permit_received_date', 'permit_expiry_date')
        UNION ALL
        SELECT c.agency_id, 'case', c.case_id, 'stage data', d #>> '{}'
        FROM cases c, jsonb_path_query(c.state, 'strict $.** ? (@.type == "date").value') AS d
        UNION ALL
        SELECT d.agency_id, 'deadline', d.deadline_id, 'due_date', d.due_date::text FROM deadlines d
        UNION ALL
        SELECT d.agency_id, 'deadline', d.deadline_id, 'base_date', d.base_date::text FROM deadlines d WHERE d.base_date IS NOT NULL
        UNION ALL
        SELECT p.agency_id, 'points_rules', NULL, p.version, p.effective_from::text FROM points_rule_versions p
        UNION ALL
        SELECT k.agency_id, 'calendar', NULL, 'day', k.day::text FROM calendar_days k
    )
    SELECT * FROM stored
    -- ISO dates compare as text; anything that is not one (a year past 9999) is out too.
    WHERE value !~ '^\d{4}-\d{2}-\d{2}$' OR value < '1900-01-01' OR value > '2100-12-31'
    ORDER BY agency_id, entity, entity_id, field
    $$;

REVOKE ALL ON FUNCTION caseload_dates_out_of_range() FROM PUBLIC;
