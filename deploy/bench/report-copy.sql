-- The baseline for report.company: the same rows in one \copy, as the server's role with the
-- same set_config (RLS applies): each case with its applicant (masked ID, name, profile), kind,
-- stage, status, days in stage, late, next open deadline with its explanation, and the
-- documents held for the applicant or company-wide. bench.sh substitutes :agency, :user,
-- :company and :out. The server additionally names stages, derives the missing documents in
-- Swift and renders CSV with a summary; that work is the overhead being measured.
BEGIN;
SELECT set_config('caseload.agency_id', :agency, true), set_config('caseload.user_id', :user, true),
       set_config('caseload.system', '', true), set_config('caseload.method', 'report.company', true),
       set_config('transaction_read_only', 'on', true);
\copy (WITH cs AS (SELECT c.* FROM cases c WHERE c.agency_id = :agency AND c.company_id = :company AND (NULL::uuid IS NULL OR c.company_id = ANY(ARRAY(SELECT cc.company_id FROM company_consultants cc WHERE cc.agency_id = :agency AND cc.user_id = NULL::uuid)))), nd AS (SELECT DISTINCT ON (case_id) case_id, due_date::text AS due_date, title, explanation FROM deadlines WHERE agency_id = :agency AND case_id IN (SELECT case_id FROM cs) AND state IN ('open', 'missed') ORDER BY case_id, due_date), docs AS (SELECT applicant_id, string_agg(document_type || ' ' || form || ' ' || coalesce(holder::text, ''), '; ') AS held FROM documents WHERE agency_id = :agency AND company_id = :company GROUP BY applicant_id) SELECT a.id_number_masked, a.name, c.kind, c.stage, c.status, (now()::date - c.stage_entered_at::date) AS days_in_stage, (c.status = 'active' AND c.stage_due_at < now()) AS late, nd.due_date, nd.title, nd.explanation, a.profile::text, d.held, cd.held AS company_held FROM cs c JOIN applicants a ON a.agency_id = c.agency_id AND a.applicant_id = c.applicant_id LEFT JOIN nd ON nd.case_id = c.case_id LEFT JOIN docs d ON d.applicant_id = c.applicant_id LEFT JOIN docs cd ON cd.applicant_id IS NULL ORDER BY c.opened_at, c.case_id) TO ':out' WITH (FORMAT csv, HEADER)
COMMIT;
