-- case.advance of a points_renewal case (information_updated -> submitted) as the server runs it
-- (CaseMethods.mutate + facts, then DeadlineDerivation): lock and read the case, calendar,
-- company, applicant, points rules, archive, documents held, stage time; update and read back in
-- one statement, append history; then settle the dates: lock the case's derived deadlines, read
-- the applicant, ask whether a renewal was approved, lock the applicant-level deadlines (none of
-- them moves on this step, so nothing is written). The audit rows come from the same triggers. One transaction, the server's role. The update writes the same stage
-- each time (pgbench cannot walk the stage machine), which is the same work for PostgreSQL.
\set n random(1, :nadvance)
SELECT case_id AS id, company_id AS company, applicant_id AS applicant FROM bench.advance WHERE n = :n \gset
BEGIN;
SELECT set_config('caseload.agency_id', :agency, true), set_config('caseload.user_id', :user, true), set_config('caseload.system', '', true), set_config('caseload.method', 'case.advance', true), set_config('statement_timeout', '30000ms', true), set_config('lock_timeout', '30000ms', true), set_config('transaction_read_only', 'off', true);
SELECT c.case_id, c.applicant_id, a.name, a.id_number_masked, c.company_id, c.state::text, c.stage_entered_at, c.stage_due_at, c.version, c.opened_at, c.closed_at, (extract(epoch FROM c.opened_at) * 1000000)::int8, co.name, c.version AS v FROM cases c JOIN applicants a ON a.agency_id = c.agency_id AND a.applicant_id = c.applicant_id JOIN companies co ON co.agency_id = c.agency_id AND co.company_id = c.company_id WHERE c.agency_id = :agency AND c.case_id = :id FOR UPDATE OF c \gset p_
SELECT day::text, kind, name FROM calendar_days WHERE agency_id = :agency ORDER BY day;
SELECT year FROM calendar_years WHERE agency_id = :agency;
SELECT company_id, name, credit_code, credit_code_override, org_code, org_code_override, district, hr_name, coalesce(hr_phone_masked, left(hr_phone, 3) || '****' || right(hr_phone, 4)), talent_center_status, version, created_at, updated_at FROM companies WHERE agency_id = :agency AND company_id = :company;
SELECT applicant_id, company_id, name, id_number_masked, birth_date::text, gender, phone_masked, profile::text, version, created_at, updated_at FROM applicants WHERE agency_id = :agency AND applicant_id = :applicant;
SELECT rules::text FROM points_rule_versions WHERE agency_id = :agency AND effective_from <= current_date ORDER BY effective_from DESC, created_at DESC LIMIT 1;
SELECT holder_type, holder_name, district, status, updated_at FROM archives WHERE agency_id = :agency AND applicant_id = :applicant;
SELECT d.document_type, d.form, d.holder::text FROM documents d WHERE d.agency_id = :agency AND (d.applicant_id = :applicant OR (d.applicant_id IS NULL AND d.company_id = :company));
SELECT allowed_days FROM stage_time_limits WHERE agency_id = :agency AND kind = 'points_renewal' AND stage = 'submitted';
WITH c AS (
    UPDATE cases SET stage = 'submitted', status = 'active', state = '{"kind":"points_renewal","recorded":{"submitted":{}},"stage":"submitted","status":"active"}'::jsonb,
        stage_entered_at = CASE WHEN true THEN now() ELSE stage_entered_at END,
        stage_due_at = CASE WHEN true THEN now() + make_interval(days => 7::int) ELSE stage_due_at END,
        closed_at = CASE WHEN false THEN coalesce(closed_at, now()) ELSE NULL END,
        version = version + 1
    WHERE agency_id = :agency AND case_id = :id AND version = :p_v
    RETURNING *
)
SELECT c.case_id, c.applicant_id, a.name, a.id_number_masked, c.company_id, c.state::text, c.stage_entered_at, c.stage_due_at, c.version, c.opened_at, c.closed_at, (extract(epoch FROM c.opened_at) * 1000000)::int8, co.name FROM c JOIN applicants a ON a.agency_id = c.agency_id AND a.applicant_id = c.applicant_id JOIN companies co ON co.agency_id = c.agency_id AND co.company_id = c.company_id;
INSERT INTO case_history (agency_id, case_id, seq, user_id, action, from_stage, to_stage, data, reason, overrides)
SELECT :agency, :id, coalesce(max(seq), 0) + 1, :user, 'advance', 'information_updated', 'submitted', '{}'::jsonb, NULL, '{}'
FROM case_history WHERE agency_id = :agency AND case_id = :id;
SELECT deadline_id, rule_id, case_id, applicant_id, company_id, title, base_date::text, due_date::text, provisional, kind, explanation, state, reason, updated_at, version FROM deadlines
WHERE agency_id = :agency AND rule_id IS NOT NULL AND applicant_id = :applicant AND (case_id = :id::uuid OR (:id::uuid IS NULL AND case_id IS NULL)) FOR UPDATE;
SELECT applicant_id, company_id, name, id_number_masked, birth_date::text, gender, phone_masked, profile::text, version, created_at, updated_at FROM applicants WHERE agency_id = :agency AND applicant_id = :applicant;
SELECT EXISTS (SELECT 1 FROM cases WHERE agency_id = :agency AND applicant_id = :applicant AND kind = 'points_renewal'
    AND status <> 'withdrawn' AND stage = ANY('{approved,notice_printed,closed}'::text[]) AND opened_at >= current_date - 180);
SELECT deadline_id, rule_id, case_id, applicant_id, company_id, title, base_date::text, due_date::text, provisional, kind, explanation, state, reason, updated_at, version FROM deadlines
WHERE agency_id = :agency AND rule_id IS NOT NULL AND applicant_id = :applicant AND (case_id = NULL::uuid OR (NULL::uuid IS NULL AND case_id IS NULL)) FOR UPDATE;
COMMIT;
