-- 030 the role lookups name their agency as a value, so Citus routes them to one shard.
--
-- 025's lookups filtered on caseload_current_agency(), a function call. Citus prunes shards
-- only on a constant or a parameter: with a function it sent the lookup to all 32 shards of
-- users (EXPLAIN: "Task Count: 32"), and caseload_citus_context, which looks the role and
-- companies up at the start of every call's transaction, took 6.1 ms of a 1-client pgbench
-- transaction (the SET LOCALs alone 0.3 ms). The agency and user now go through PL/pgSQL
-- variables, which reach the query as parameters: one shard ("Task Count: 1"). On a single
-- PostgreSQL the plans are the same index lookups as before; the cache is unchanged.

CREATE OR REPLACE FUNCTION caseload_current_role() RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
        agency uuid := caseload_current_agency();
        person uuid := caseload_current_user();
        who text := current_setting('caseload.agency_id', true) || '/' || current_setting('caseload.user_id', true);
        cached text := current_setting('caseload.role_of', true);
        found text;
    BEGIN
        IF person IS NULL THEN
            RETURN CASE WHEN current_setting('caseload.system', true) = 'on' THEN 'system' END;
        END IF;
        IF cached IS NOT NULL AND split_part(cached, '=', 1) = who THEN
            RETURN nullif(split_part(cached, '=', 2), '');
        END IF;
        found := (SELECT u.role FROM users u WHERE u.agency_id = agency AND u.user_id = person);
        PERFORM set_config('caseload.role_of', who || '=' || coalesce(found, ''), true);
        RETURN found;
    END
    $$;

CREATE OR REPLACE FUNCTION caseload_visible_companies() RETURNS uuid[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
        agency uuid := caseload_current_agency();
        person uuid := caseload_current_user();
        who text := current_setting('caseload.agency_id', true) || '/' || current_setting('caseload.user_id', true);
        cached text := current_setting('caseload.companies_of', true);
        found uuid[];
    BEGIN
        IF cached IS NOT NULL AND split_part(cached, '=', 1) = who THEN
            RETURN split_part(cached, '=', 2)::uuid[];
        END IF;
        CASE caseload_current_role()
            WHEN 'client' THEN
                found := ARRAY(
                    SELECT u.company_id FROM users u
                    WHERE u.agency_id = agency AND u.user_id = person AND u.company_id IS NOT NULL);
            WHEN 'consultant', 'viewer' THEN
                found := ARRAY(
                    SELECT cc.company_id FROM company_consultants cc
                    WHERE cc.agency_id = agency AND cc.user_id = person);
            ELSE
                found := '{}'::uuid[];
        END CASE;
        PERFORM set_config('caseload.companies_of', who || '=' || found::text, true);
        RETURN found;
    END
    $$;
