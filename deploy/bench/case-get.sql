-- case.get as the server runs it (CaseStore.get, with the company for its name, then DocumentStore.originalsOut(case:) only for a
-- closed or withdrawn case: the server reads that from the state it decoded, pgbench from the extra
-- `finished` column), one transaction with the same set_config calls, as the server's own role (RLS applies).
-- pgbench picks a case number; bench.cases maps it to an id (one primary-key lookup, outside the transaction).
\set n random(1, :ncases)
SELECT case_id AS id, company_id AS company FROM bench.cases WHERE n = :n \gset
BEGIN;
SELECT set_config('caseload.agency_id', :agency, true), set_config('caseload.user_id', :user, true), set_config('caseload.system', '', true), set_config('caseload.method', 'case.get', true), set_config('statement_timeout', '30000ms', true), set_config('lock_timeout', '30000ms', true), set_config('transaction_read_only', 'on', true);
SELECT c.case_id, c.applicant_id, a.name, a.id_number_masked, c.company_id, c.state::text, c.stage_entered_at, c.stage_due_at, c.version, c.opened_at, c.closed_at, (extract(epoch FROM c.opened_at) * 1000000)::int8, co.name, (c.status IN ('closed', 'withdrawn'))::int AS finished FROM cases c JOIN applicants a ON a.agency_id = c.agency_id AND a.applicant_id = c.applicant_id JOIN companies co ON co.agency_id = c.agency_id AND co.company_id = c.company_id WHERE c.agency_id = :agency AND c.case_id = :id \gset p_
\if :p_finished
SELECT count(*)::int FROM documents d JOIN cases c ON c.agency_id = d.agency_id AND c.case_id = d.case_id WHERE d.agency_id = :agency AND d.case_id = :id AND c.status IN ('closed', 'withdrawn') AND d.form = 'original' AND d.holder_kind IN ('agency', 'talent_center', 'city_verification_center');
\endif
COMMIT;
