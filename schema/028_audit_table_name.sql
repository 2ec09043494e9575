-- 028 the audit log names the table, not a Citus shard of it.
--
-- Citus runs a distributed table's triggers on its shards, where TG_TABLE_NAME is the shard's
-- name (deadlines_102686): audit.list's table_name said so, and a filter by table found
-- nothing. The shard's suffix is dropped when what is left names a table (no Caseload table's
-- own name ends in _<digits>); on a single PostgreSQL nothing changes.

-- The table a trigger fired on, as the schema names it (029's notify triggers use it too).
CREATE FUNCTION caseload_logical_table(name text) RETURNS text
    LANGUAGE sql STABLE
    AS $$
        SELECT CASE WHEN name ~ '_[0-9]+$' AND to_regclass(regexp_replace(name, '_[0-9]+$', '')) IS NOT NULL
                    THEN regexp_replace(name, '_[0-9]+$', '') ELSE name END
    $$;
GRANT EXECUTE ON FUNCTION caseload_logical_table(text) TO caseload_app;

CREATE OR REPLACE FUNCTION caseload_audit() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    DECLARE
        old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN caseload_audit_redact(to_jsonb(OLD)) END;
        new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN caseload_audit_redact(to_jsonb(NEW)) END;
        source jsonb := coalesce(new_row, old_row);
        changed_before jsonb;
        changed_after jsonb;
        logical_table text := caseload_logical_table(TG_TABLE_NAME);
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            -- Only the fields that changed.
            SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, new_row -> o.key)
            INTO changed_before, changed_after
            FROM jsonb_each(old_row) o
            WHERE new_row -> o.key IS DISTINCT FROM o.value;
            IF changed_after IS NULL THEN
                RETURN NULL;
            END IF;
        ELSE
            changed_before := old_row;
            changed_after := new_row;
        END IF;
        INSERT INTO audit_log (agency_id, user_id, method, entity, entity_id, table_name, action, before, after)
        VALUES (
            (source ->> 'agency_id')::uuid,
            caseload_current_user(),
            coalesce(nullif(current_setting('caseload.method', true), ''), 'system'),
            TG_ARGV[0],
            source ->> TG_ARGV[1],
            logical_table,
            lower(TG_OP),
            changed_before,
            changed_after);
        RETURN NULL;
    END
    $$;
