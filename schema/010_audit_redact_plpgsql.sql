-- 010 the audit trigger's redaction as PL/pgSQL.
--
-- caseload_audit_redact was a SQL function that cannot be inlined (it aggregates), and such a
-- function is planned again for every statement that calls it: every audited one-row INSERT,
-- UPDATE or DELETE paid for planning it (about 0.3 ms a row on the benchmark machine, more than
-- the rest of the trigger). PL/pgSQL keeps the plan for the session. Same result, same rows.

CREATE OR REPLACE FUNCTION caseload_audit_redact(row_data jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
    BEGIN
        RETURN (
            SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb)
            FROM jsonb_each(row_data)
            WHERE key !~ '(^|_)(sealed|lookup|hash)$');
    END
    $$;
