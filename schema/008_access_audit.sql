-- 008 who may see and change what inside an agency, an append-only audit log, and
-- idempotency keys.
--
-- Until now row-level security kept agencies apart. Here it also keeps each user to their
-- role: owners and managers see every company of the agency, consultants and viewers only
-- the companies assigned to them, a client (a company's HR contact) only their own company;
-- viewers and clients change nothing, and only owners change the agency's configuration.
-- The server checks the same rules before it runs a method; this is the second wall, so a
-- query that forgets a filter still sees only what its user may see.
--
-- The role is never taken from the session: it is looked up from the user the server set
-- with set_config('caseload.user_id', ...). The server's own jobs act with no user and
-- caseload.system = 'on' (the whole agency, as before this migration).

-- A client user belongs to one company: the one whose cases they may follow. NOT VALID so an
-- existing client without a company stays (and sees nothing) rather than block the upgrade.
ALTER TABLE users
    ADD COLUMN company_id uuid,
    ADD CONSTRAINT users_company_fk FOREIGN KEY (agency_id, company_id) REFERENCES companies,
    ADD CONSTRAINT users_client_company CHECK ((role = 'client') = (company_id IS NOT NULL)) NOT VALID;

ALTER TABLE tokens ADD COLUMN label text CHECK (length(label) <= 100);

CREATE FUNCTION caseload_current_user() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('caseload.user_id', true), '')::uuid $$;

-- SECURITY DEFINER: the lookups below read users and company_consultants past their own
-- policies (which call these functions), always filtered to the current agency and user.
CREATE FUNCTION caseload_current_role() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT CASE
            WHEN caseload_current_user() IS NOT NULL THEN
                (SELECT u.role FROM users u WHERE u.agency_id = caseload_current_agency() AND u.user_id = caseload_current_user())
            WHEN current_setting('caseload.system', true) = 'on' THEN 'system'
        END
    $$;

CREATE FUNCTION caseload_sees_all_companies() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(caseload_current_role() IN ('owner', 'manager', 'system'), false) $$;

CREATE FUNCTION caseload_visible_companies() RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT CASE caseload_current_role()
            WHEN 'client' THEN ARRAY(
                SELECT u.company_id FROM users u
                WHERE u.agency_id = caseload_current_agency() AND u.user_id = caseload_current_user() AND u.company_id IS NOT NULL)
            WHEN 'consultant' THEN ARRAY(
                SELECT cc.company_id FROM company_consultants cc
                WHERE cc.agency_id = caseload_current_agency() AND cc.user_id = caseload_current_user())
            WHEN 'viewer' THEN ARRAY(
                SELECT cc.company_id FROM company_consultants cc
                WHERE cc.agency_id = caseload_current_agency() AND cc.user_id = caseload_current_user())
            ELSE '{}'::uuid[]
        END
    $$;

CREATE FUNCTION caseload_may_write() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(caseload_current_role() IN ('owner', 'manager', 'consultant', 'system'), false) $$;

CREATE FUNCTION caseload_may_configure() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(caseload_current_role() IN ('owner', 'system'), false) $$;

GRANT EXECUTE ON FUNCTION caseload_current_user(), caseload_current_role(), caseload_sees_all_companies(),
    caseload_visible_companies(), caseload_may_write(), caseload_may_configure() TO caseload_app;

-- The policies. RESTRICTIVE: each is ANDed with agency_isolation, so none can widen it.
-- `(SELECT f())` makes each function an init plan: evaluated once per query, not per row.
DO $$
DECLARE
    t text;
    -- Tables with a company_id: visible when the company is.
    company_tables text[] := ARRAY['companies', 'company_consultants', 'applicants', 'applicant_employments',
                                   'cases', 'documents', 'deadlines'];
    -- Tables reached through a parent: visible when the parent row is (the parent's own
    -- policies apply inside the EXISTS).
    child_tables text[][] := ARRAY[
        ARRAY['case_history', 'cases', 'case_id'],
        ARRAY['renewals_opened', 'cases', 'case_id'],
        ARRAY['archives', 'applicants', 'applicant_id'],
        ARRAY['archive_events', 'applicants', 'applicant_id'],
        ARRAY['custody_events', 'documents', 'document_id'],
        ARRAY['deadline_history', 'deadlines', 'deadline_id'],
        ARRAY['import_rows', 'imports', 'import_id']];
    -- The agency's working data: written by owners, managers and consultants.
    working_tables text[] := company_tables || ARRAY['case_history', 'renewals_opened', 'archives', 'archive_events',
                             'custody_events', 'deadline_history', 'import_rows', 'imports', 'storage_locations'];
    -- The agency's configuration: written by owners only.
    config_tables text[] := ARRAY['users', 'calendar_days', 'calendar_years', 'agency_settings',
                                  'points_rule_versions', 'stage_time_limits'];
    i int;
BEGIN
    FOREACH t IN ARRAY company_tables LOOP
        EXECUTE format(
            'CREATE POLICY company_scope ON %I AS RESTRICTIVE USING ('
            '(SELECT caseload_sees_all_companies()) OR company_id = ANY ((SELECT caseload_visible_companies())::uuid[]))', t);
    END LOOP;
    FOR i IN 1 .. array_length(child_tables, 1) LOOP
        EXECUTE format(
            'CREATE POLICY company_scope ON %1$I AS RESTRICTIVE USING (EXISTS ('
            'SELECT 1 FROM %2$I p WHERE p.agency_id = %1$I.agency_id AND p.%3$I = %1$I.%3$I))',
            child_tables[i][1], child_tables[i][2], child_tables[i][3]);
    END LOOP;
    FOREACH t IN ARRAY working_tables LOOP
        EXECUTE format('CREATE POLICY writers_insert ON %I AS RESTRICTIVE FOR INSERT WITH CHECK ((SELECT caseload_may_write()))', t);
        EXECUTE format('CREATE POLICY writers_update ON %I AS RESTRICTIVE FOR UPDATE USING ((SELECT caseload_may_write()))', t);
        EXECUTE format('CREATE POLICY writers_delete ON %I AS RESTRICTIVE FOR DELETE USING ((SELECT caseload_may_write()))', t);
    END LOOP;
    FOREACH t IN ARRAY config_tables LOOP
        EXECUTE format('CREATE POLICY owners_insert ON %I AS RESTRICTIVE FOR INSERT WITH CHECK ((SELECT caseload_may_configure()))', t);
        EXECUTE format('CREATE POLICY owners_update ON %I AS RESTRICTIVE FOR UPDATE USING ((SELECT caseload_may_configure()))', t);
        EXECUTE format('CREATE POLICY owners_delete ON %I AS RESTRICTIVE FOR DELETE USING ((SELECT caseload_may_configure()))', t);
    END LOOP;
END
$$;

-- Imports are bulk work across companies: owners and managers only.
CREATE POLICY company_scope ON imports AS RESTRICTIVE USING ((SELECT caseload_sees_all_companies()));
-- A client sees only themselves among the users.
CREATE POLICY self_only_for_clients ON users AS RESTRICTIVE
    USING ((SELECT caseload_current_role()) IS DISTINCT FROM 'client' OR user_id = (SELECT caseload_current_user()));
-- Tokens: your own, or anyone's for an owner.
CREATE POLICY own_tokens ON tokens AS RESTRICTIVE
    USING (user_id = (SELECT caseload_current_user()) OR (SELECT caseload_may_configure()));

-- Owners manage users through the server (user.create / user.update); everyone manages their
-- own tokens (token.create / token.revoke).
GRANT INSERT, UPDATE (name, role, company_id) ON users TO caseload_app;
GRANT INSERT, UPDATE (revoked_at, expires_at) ON tokens TO caseload_app;

-- caseload_authenticate now also answers a client's company.
DROP FUNCTION caseload_authenticate(bytea);
CREATE FUNCTION caseload_authenticate(p_token_hash bytea)
    RETURNS TABLE (agency_id uuid, user_id uuid, role text, user_name text, agency_name text, company_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT t.agency_id, t.user_id, u.role, u.name, a.name, u.company_id
        FROM tokens t
        JOIN users u ON u.agency_id = t.agency_id AND u.user_id = t.user_id
        JOIN agencies a ON a.agency_id = t.agency_id
        WHERE t.token_hash = p_token_hash
          AND t.revoked_at IS NULL
          AND (t.expires_at IS NULL OR t.expires_at > now())
    $$;
REVOKE ALL ON FUNCTION caseload_authenticate(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caseload_authenticate(bytea) TO caseload_app;

-- ---------------------------------------------------------------- audit

-- Every change to the agency's data, row by row, written by triggers in the same transaction
-- as the change: who (the user the server set), when, through which method, which entity,
-- and the fields that changed (before and after). Sealed values, lookup hashes and token
-- hashes are never copied here; masked forms are.
CREATE TABLE audit_log (
    agency_id  uuid NOT NULL,
    audit_id   bigint GENERATED ALWAYS AS IDENTITY,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    user_id    uuid,
    method     text NOT NULL,
    entity     text NOT NULL,
    entity_id  text NOT NULL,
    table_name text NOT NULL,
    action     text NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'reveal')),
    before     jsonb,
    after      jsonb,
    PRIMARY KEY (agency_id, audit_id)
);
CREATE INDEX audit_by_entity ON audit_log (agency_id, entity, entity_id, audit_id);
CREATE INDEX audit_by_user ON audit_log (agency_id, user_id, audit_id);
CREATE INDEX audit_by_time ON audit_log (agency_id, at, audit_id);

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY agency_isolation ON audit_log
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
-- Reading the audit is for owners and managers; anyone acting may append.
CREATE POLICY readers ON audit_log AS RESTRICTIVE FOR SELECT USING ((SELECT caseload_sees_all_companies()));
-- Insert and read only: the server's role can neither rewrite nor erase history.
GRANT SELECT, INSERT ON audit_log TO caseload_app;

-- A row's fields, without anything secret.
CREATE FUNCTION caseload_audit_redact(row_data jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
        SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb)
        FROM jsonb_each(row_data)
        WHERE key !~ '(^|_)(sealed|lookup|hash)$'
    $$;

-- Trigger arguments: the entity kind, then the column(s) naming the entity.
CREATE FUNCTION caseload_audit() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    DECLARE
        old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN caseload_audit_redact(to_jsonb(OLD)) END;
        new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN caseload_audit_redact(to_jsonb(NEW)) END;
        source jsonb := coalesce(new_row, old_row);
        changed_before jsonb;
        changed_after jsonb;
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
            TG_TABLE_NAME,
            lower(TG_OP),
            changed_before,
            changed_after);
        RETURN NULL;
    END
    $$;

DO $$
DECLARE
    spec text[];
BEGIN
    FOREACH spec SLICE 1 IN ARRAY ARRAY[
        ARRAY['companies', 'company', 'company_id'],
        ARRAY['company_consultants', 'company', 'company_id'],
        ARRAY['users', 'user', 'user_id'],
        ARRAY['tokens', 'user', 'user_id'],
        ARRAY['applicants', 'applicant', 'applicant_id'],
        ARRAY['applicant_employments', 'applicant', 'applicant_id'],
        ARRAY['archives', 'applicant', 'applicant_id'],
        ARRAY['archive_events', 'applicant', 'applicant_id'],
        ARRAY['cases', 'case', 'case_id'],
        ARRAY['case_history', 'case', 'case_id'],
        ARRAY['renewals_opened', 'case', 'case_id'],
        ARRAY['documents', 'document', 'document_id'],
        ARRAY['custody_events', 'document', 'document_id'],
        ARRAY['deadlines', 'deadline', 'deadline_id'],
        ARRAY['deadline_history', 'deadline', 'deadline_id'],
        ARRAY['storage_locations', 'location', 'code'],
        ARRAY['calendar_days', 'calendar', 'day'],
        ARRAY['calendar_years', 'calendar', 'year'],
        ARRAY['agency_settings', 'settings', 'agency_id'],
        ARRAY['points_rule_versions', 'points_rules', 'version'],
        ARRAY['stage_time_limits', 'stage_time', 'kind'],
        ARRAY['imports', 'import', 'import_id']]
    LOOP
        EXECUTE format(
            'CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION caseload_audit(%L, %L)',
            spec[1], spec[2], spec[3]);
    END LOOP;
END
$$;

-- Staged import rows are sealed payloads: one audit entry per statement, with the count.
CREATE FUNCTION caseload_audit_import_rows() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        INSERT INTO audit_log (agency_id, user_id, method, entity, entity_id, table_name, action, after)
        SELECT agency_id, caseload_current_user(), coalesce(nullif(current_setting('caseload.method', true), ''), 'system'),
               'import', import_id::text, 'import_rows', lower(TG_OP), jsonb_build_object('rows', count(*))
        FROM changed GROUP BY agency_id, import_id;
        RETURN NULL;
    END
    $$;
CREATE TRIGGER audit AFTER INSERT ON import_rows REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION caseload_audit_import_rows();

-- ---------------------------------------------------------------- idempotency

-- The first result of a mutating call made with an idempotency key: a retry with the same
-- key gets it back instead of doing the work twice. Written in the call's own transaction,
-- so a key exists exactly when its work committed. Kept at least 24 hours.
CREATE TABLE idempotency_keys (
    agency_id   uuid NOT NULL,
    user_id     uuid NOT NULL,
    key         text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    method      text NOT NULL,
    params_hash bytea NOT NULL CHECK (length(params_hash) = 32),
    result      jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, user_id, key)
);
CREATE INDEX idempotency_by_age ON idempotency_keys (agency_id, created_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY agency_isolation ON idempotency_keys
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY own_keys ON idempotency_keys AS RESTRICTIVE USING (user_id = (SELECT caseload_current_user()));
GRANT SELECT, INSERT, DELETE ON idempotency_keys TO caseload_app;
GRANT UPDATE (result) ON idempotency_keys TO caseload_app;
