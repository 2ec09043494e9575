-- case.list of one company, first page of 50 (limit + 1 fetched), as CaseStore.list runs it, plus
-- DocumentStore.originalsOut(cases:) for the page's cases (the server passes the page's closed or
-- withdrawn ids; pgbench cannot carry rows from one query to the next, so it finds the page's ids
-- again in a subquery: a little more work than the server's); one transaction, the server's role.
\set n random(1, :ncompanies)
SELECT company_id AS company FROM bench.companies WHERE n = :n \gset
BEGIN;
SELECT set_config('caseload.agency_id', :agency, true), set_config('caseload.user_id', :user, true), set_config('caseload.system', '', true), set_config('caseload.method', 'case.list', true), set_config('statement_timeout', '30000ms', true), set_config('lock_timeout', '30000ms', true), set_config('transaction_read_only', 'on', true);
SELECT c.case_id, c.applicant_id, a.name, a.id_number_masked, c.company_id, c.state::text, c.stage_entered_at, c.stage_due_at, c.version, c.opened_at, c.closed_at, (extract(epoch FROM c.opened_at) * 1000000)::int8, co.name FROM cases c JOIN applicants a ON a.agency_id = c.agency_id AND a.applicant_id = c.applicant_id JOIN companies co ON co.agency_id = c.agency_id AND co.company_id = c.company_id
WHERE c.agency_id = :agency
  AND (NULL::int8 IS NULL OR (c.opened_at, c.case_id) > (timestamptz 'epoch' + NULL::int8 * interval '1 microsecond', NULL::uuid))
  AND (:company::uuid IS NULL OR c.company_id = :company::uuid)
  AND (NULL::uuid IS NULL OR c.applicant_id = NULL::uuid)
  AND (NULL::uuid IS NULL OR c.company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = :agency AND cc.user_id = NULL::uuid)))
  AND (NULL::text IS NULL OR c.kind = NULL::text)
  AND (NULL::text IS NULL OR c.stage = NULL::text)
  AND (NULL::text IS NULL OR c.status = NULL::text)
  AND (NOT false OR (c.status = 'active' AND c.stage_due_at < now()))
ORDER BY c.opened_at, c.case_id
LIMIT 51;
SELECT d.case_id, count(*)::int FROM documents d JOIN cases c ON c.agency_id = d.agency_id AND c.case_id = d.case_id WHERE d.agency_id = :agency AND d.case_id = ANY(ARRAY(SELECT p.case_id FROM cases p WHERE p.agency_id = :agency AND p.company_id = :company ORDER BY p.opened_at, p.case_id LIMIT 50)) AND c.status IN ('closed', 'withdrawn') AND d.form = 'original' AND d.holder_kind IN ('agency', 'talent_center', 'city_verification_center') GROUP BY d.case_id;
COMMIT;
