-- case.advance of a points_renewal case (information_updated -> submitted) as the server runs it
-- (CaseMethods.mutate, then DeadlineDerivation.deriveForCase): lock the case and read, in the same
-- statement, its applicant, the employer's standing, the points rules in force, the archive, the
-- papers held, the kind's stage times and the calendar's fingerprint (CaseStore.lock); update it
-- and write its history entry in one statement (CaseStore.save); lock the case's derived deadlines
-- and the applicant's permit dates and ask whether a renewal was approved, in one statement
-- (DeadlineStore.toSettle; none of them moves on this step, so nothing more is written). The
-- calendar itself is not read: the server keeps it while the fingerprint is unchanged. The audit
-- rows come from the same triggers. One transaction, the server's role. The update writes the
-- same stage each time (pgbench cannot walk the stage machine), which is the same work for
-- PostgreSQL.
\set n random(1, :nadvance)
SELECT case_id AS id, company_id AS company, applicant_id AS applicant FROM bench.advance WHERE n = :n \gset
BEGIN;
SELECT set_config('caseload.agency_id', :agency, true), set_config('caseload.user_id', :user, true), set_config('caseload.system', '', true), set_config('caseload.method', 'case.advance', true), set_config('statement_timeout', '30000ms', true), set_config('lock_timeout', '30000ms', true), set_config('transaction_read_only', 'off', true);
SELECT c.case_id, c.applicant_id, a.name, a.id_number_masked, c.company_id, c.state::text, c.stage_entered_at, c.stage_due_at, c.version AS v, c.opened_at, c.closed_at, (extract(epoch FROM c.opened_at) * 1000000)::int8 AS micros, co.name AS company_name,
    a.applicant_id AS a_id, a.company_id AS a_company, a.name AS a_name, a.id_number_masked AS a_masked, a.birth_date, a.gender, a.phone_masked, a.profile::text AS profile, a.version AS a_version, a.created_at, a.updated_at,
    co.talent_center_status,
    (SELECT r.rules::text FROM points_rule_versions r WHERE r.agency_id = :agency AND r.effective_from <= current_date ORDER BY r.effective_from DESC, r.created_at DESC LIMIT 1) AS rules,
    ar.holder_type, ar.holder_name, ar.status AS archive_status,
    (SELECT coalesce(json_agg(json_build_array(d.document_type, d.form, d.holder->>'kind', d.holder->>'location_code')), '[]')::text
       FROM documents d WHERE d.agency_id = :agency AND (d.applicant_id = c.applicant_id OR (d.applicant_id IS NULL AND d.company_id = c.company_id))) AS held,
    (SELECT coalesce(json_object_agg(s.stage, s.allowed_days), '{}')::text FROM stage_time_limits s WHERE s.agency_id = :agency AND s.kind = c.kind) AS stage_days,
    md5(coalesce((SELECT array_agg((day, kind, name) ORDER BY day)::text FROM calendar_days WHERE agency_id = :agency), '') || '|' ||
        coalesce((SELECT array_agg(year ORDER BY year)::text FROM calendar_years WHERE agency_id = :agency), '')) AS fingerprint
FROM cases c JOIN applicants a ON a.agency_id = c.agency_id AND a.applicant_id = c.applicant_id JOIN companies co ON co.agency_id = c.agency_id AND co.company_id = c.company_id
LEFT JOIN archives ar ON ar.agency_id = c.agency_id AND ar.applicant_id = c.applicant_id
WHERE c.agency_id = :agency AND c.case_id = :id FOR UPDATE OF c \gset p_
WITH c AS (
    UPDATE cases SET stage = 'submitted', status = 'active', state = '{"kind":"points_renewal","recorded":{"submitted":{}},"stage":"submitted","status":"active"}'::jsonb,
        stage_entered_at = CASE WHEN true THEN now() ELSE stage_entered_at END,
        stage_due_at = CASE WHEN true THEN now() + make_interval(days => 7::int) ELSE stage_due_at END,
        closed_at = CASE WHEN false THEN coalesce(closed_at, now()) ELSE NULL END,
        version = version + 1
    WHERE agency_id = :agency AND case_id = :id AND version = :p_v
    RETURNING *
), h AS (
    INSERT INTO case_history (agency_id, case_id, seq, user_id, action, from_stage, to_stage, data, reason, overrides)
    SELECT c.agency_id, c.case_id, (SELECT coalesce(max(seq), 0) + 1 FROM case_history WHERE agency_id = :agency AND case_id = :id),
           :user, 'advance', 'information_updated', c.stage, '{}'::jsonb, NULL, '{}'
    FROM c
)
SELECT c.case_id, c.applicant_id, a.name, a.id_number_masked, c.company_id, c.state::text, c.stage_entered_at, c.stage_due_at, c.version, c.opened_at, c.closed_at, (extract(epoch FROM c.opened_at) * 1000000)::int8, co.name FROM c JOIN applicants a ON a.agency_id = c.agency_id AND a.applicant_id = c.applicant_id JOIN companies co ON co.agency_id = c.agency_id AND co.company_id = c.company_id;
WITH d AS (
    SELECT deadline_id, rule_id, case_id, applicant_id, company_id, title, base_date, due_date, provisional, kind, explanation, state, reason, updated_at, version FROM deadlines
    WHERE agency_id = :agency AND rule_id IS NOT NULL AND applicant_id = :applicant
      AND (case_id = :id::uuid OR ((current_date - 180) IS NOT NULL AND case_id IS NULL))
    FOR UPDATE
)
SELECT d.deadline_id IS NOT NULL, f.originals, f.renewal, d.*
FROM (SELECT false AND coalesce((
            SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM custody_events e WHERE e.agency_id = o.agency_id AND e.document_id = o.document_id AND e.event->>'event' = 'handed_over')) > 0
               AND count(*) FILTER (WHERE o.holder_kind IN ('talent_center', 'city_verification_center')) = 0
            FROM documents o WHERE o.agency_id = :agency AND o.applicant_id = :applicant AND o.form = 'original'), false),
        (current_date - 180) IS NOT NULL AND EXISTS (
            SELECT 1 FROM cases c WHERE c.agency_id = :agency AND c.applicant_id = :applicant AND c.kind = 'points_renewal'
               AND c.status <> 'withdrawn' AND c.stage = ANY('{approved,notice_printed,closed}'::text[]) AND c.opened_at >= current_date - 180)
     ) f(originals, renewal)
LEFT JOIN d ON true;
COMMIT;
