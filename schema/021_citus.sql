-- 021 Caseload on a Citus cluster, sharded by agency (docs/scaling.md §4).
--
-- On a single PostgreSQL this migration only creates functions; nothing calls them and no
-- table, policy or hot statement changes. `caseload-server migrate --citus` (or `migrate` on a
-- database with the citus extension) then runs caseload_citus_distribute() once, which turns
-- this schema into its Citus variant. Kept apart from the single-node policies (008, 019 and
-- later) so that changes to those do not collide with this step.
--
-- What Citus needs, found on Citus 13.2.2 (deploy/citus.sh):
-- * set_config(..., true) stays on the coordinator: a routed query sees no caseload.agency_id
--   on the worker (and so no rows). SET LOCAL with citus.propagate_set_commands = 'local' is
--   sent along, also when issued by EXECUTE inside a plpgsql function, so the server's context
--   statement becomes a call of caseload_citus_context() with the same binds.
-- * Policies on distributed tables may not hold subqueries (the `(SELECT f())` init plans and
--   the child tables' EXISTS on their parent), and a function in a policy that reads another
--   distributed table fails on the worker ("cannot execute a distributed query from a query
--   on a shard"). So the role and the visible companies, looked up from `users` and
--   `company_consultants` on the coordinator at the start of each transaction (from the user
--   the server names, never from a role the server claims), travel as two more SET LOCAL
--   settings, and the Citus policies read only settings and the row itself.
-- * The child tables carry their parent's company (scope_company_id, and import_rows its
--   import's user as scope_user_id), copied by triggers, so their scope needs no subquery.
--   Triggers on distributed tables run on the worker holding the shard and may query other
--   distributed tables there.
-- * tokens' UNIQUE (token_hash) cannot hold without the shard key: a reference table
--   token_routes (token_hash -> agency_id), written in the same transaction as the token
--   (caseload_route_token), routes login to the one agency. Its primary key keeps hashes
--   unique across agencies, as the dropped constraint did.

-- The role and visible companies as the transaction's context carries them on Citus.
CREATE FUNCTION caseload_citus_current_role() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('caseload.role', true), '') $$;

CREATE FUNCTION caseload_citus_visible_companies() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting('caseload.companies', true), '')::uuid[], '{}'::uuid[]) $$;

CREATE FUNCTION caseload_citus_sees_all_companies() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(caseload_citus_current_role() IN ('owner', 'manager', 'system'), false) $$;

CREATE FUNCTION caseload_citus_may_write() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(caseload_citus_current_role() IN ('owner', 'manager', 'consultant', 'system'), false) $$;

CREATE FUNCTION caseload_citus_may_configure() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(caseload_citus_current_role() IN ('owner', 'system'), false) $$;

GRANT EXECUTE ON FUNCTION caseload_citus_current_role(), caseload_citus_visible_companies(),
    caseload_citus_sees_all_companies(), caseload_citus_may_write(), caseload_citus_may_configure() TO caseload_app;

-- Whether this database is the Citus variant (the server asks once at start).
CREATE FUNCTION caseload_distributed() RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
            RETURN false;
        END IF;
        RETURN EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.relname = 'token_routes' AND c.relnamespace = 'public'::regnamespace);
    END
    $$;
GRANT EXECUTE ON FUNCTION caseload_distributed() TO caseload_app;

-- The Citus variant of the server's per-transaction context (AgencyContextStatement's binds,
-- in the same order). SET takes no bind parameters: each value is quoted by format's %L, in
-- SQL, never spliced by the server. No SET clause on this function: one would undo the
-- SET LOCALs when it returns.
CREATE FUNCTION caseload_citus_context(p_agency text, p_user text, p_system text, p_method text,
                                       p_timeout text, p_read_only text) RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$
    BEGIN
        SET LOCAL citus.propagate_set_commands = 'local';
        EXECUTE format('SET LOCAL caseload.agency_id = %L', p_agency);
        EXECUTE format('SET LOCAL caseload.user_id = %L', p_user);
        EXECUTE format('SET LOCAL caseload.system = %L', p_system);
        EXECUTE format('SET LOCAL caseload.method = %L', p_method);
        EXECUTE format('SET LOCAL statement_timeout = %L', p_timeout);
        EXECUTE format('SET LOCAL lock_timeout = %L', p_timeout);
        -- Looked up here, on the coordinator, by the SECURITY DEFINER functions of 008.
        EXECUTE format('SET LOCAL caseload.role = %L', coalesce(caseload_current_role(), ''));
        EXECUTE format('SET LOCAL caseload.companies = %L', coalesce(caseload_visible_companies(), '{}'::uuid[])::text);
        EXECUTE format('SET LOCAL transaction_read_only = %L', p_read_only);
    END
    $$;
GRANT EXECUTE ON FUNCTION caseload_citus_context(text, text, text, text, text, text) TO caseload_app;

-- Child rows take their parent's company (and an import's rows its user) when written, and
-- follow it when the parent's company changes. SECURITY DEFINER: the parent is read past its
-- policies (the row being written is still held to its own).
CREATE FUNCTION caseload_citus_child_scope() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
        parent text := TG_ARGV[0];
        key text := TG_ARGV[1];
        scope text := TG_ARGV[2];
        source text := CASE WHEN scope = 'scope_user_id' THEN 'user_id' ELSE 'company_id' END;
        found uuid;
    BEGIN
        EXECUTE format('SELECT p.%I FROM %I p WHERE p.agency_id = $1 AND p.%I = $2::uuid', source, parent, key)
            INTO found USING NEW.agency_id, to_jsonb(NEW) ->> key;
        NEW := jsonb_populate_record(NEW, jsonb_build_object(scope, found));
        RETURN NEW;
    END
    $$;

CREATE FUNCTION caseload_citus_follow_company() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
        child text;
        key text := TG_ARGV[0];
    BEGIN
        FOREACH child IN ARRAY TG_ARGV[1:] LOOP
            EXECUTE format('UPDATE %I SET scope_company_id = $1 WHERE agency_id = $2 AND %I = $3', child, key)
                USING NEW.company_id, NEW.agency_id, (to_jsonb(NEW) ->> key)::uuid;
        END LOOP;
        RETURN NULL;
    END
    $$;

-- A new token's route, in the token's own transaction (TokenStore.create calls it after the
-- insert; a trigger cannot do it: a reference table is not written from a worker's shard).
-- Nothing on a single node. Only a token that the caller sees in that agency gets a route.
-- SECURITY INVOKER: Citus refuses to read, as another user, placements this transaction has
-- just written; so the server's role may insert routes, held by token_routes' policy to the
-- transaction's agency.
CREATE FUNCTION caseload_route_token(p_agency uuid, p_token_hash bytea) RETURNS void
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF NOT caseload_distributed() THEN
            RETURN;
        END IF;
        IF EXISTS (SELECT 1 FROM tokens t WHERE t.agency_id = p_agency AND t.token_hash = p_token_hash) THEN
            EXECUTE 'INSERT INTO token_routes (token_hash, agency_id) VALUES ($1, $2)' USING p_token_hash, p_agency;
        END IF;
    END
    $$;
GRANT EXECUTE ON FUNCTION caseload_route_token(uuid, bytea) TO caseload_app;

-- Login on Citus: the route names the agency, then one routed lookup in its shard group.
-- plpgsql, because Citus plans no parameterised SQL function bodies.
CREATE FUNCTION caseload_citus_authenticate(p_token_hash bytea)
    RETURNS TABLE (agency_id uuid, user_id uuid, role text, user_name text, agency_name text, company_id uuid)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
        routed uuid;
    BEGIN
        SELECT r.agency_id INTO routed FROM token_routes r WHERE r.token_hash = p_token_hash;
        IF routed IS NULL THEN
            RETURN;
        END IF;
        RETURN QUERY
            SELECT t.agency_id, t.user_id, u.role, u.name, a.name, u.company_id
            FROM tokens t
            JOIN users u ON u.agency_id = t.agency_id AND u.user_id = t.user_id
            JOIN agencies a ON a.agency_id = t.agency_id
            WHERE t.agency_id = routed AND a.agency_id = routed AND u.agency_id = routed
              AND t.token_hash = p_token_hash
              AND t.revoked_at IS NULL
              AND (t.expires_at IS NULL OR t.expires_at > now());
    END
    $$;
REVOKE ALL ON FUNCTION caseload_citus_authenticate(bytea) FROM PUBLIC;

-- A policy expression without subqueries: each `(SELECT f())` init plan becomes the plain
-- call of its Citus variant. Anything else with a subquery is refused, naming the policy, so
-- a later migration's new policy cannot slip through unchanged.
CREATE FUNCTION caseload_citus_policy_expression(p_table text, p_policy text, p_expression text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    AS $$
    DECLARE
        rewritten text := p_expression;
    BEGIN
        IF rewritten IS NULL THEN
            RETURN NULL;
        END IF;
        rewritten := regexp_replace(rewritten,
            '\(\s*SELECT caseload_(current_role|sees_all_companies|visible_companies|may_write|may_configure)\(\) AS \w+\)',
            'caseload_citus_\1()', 'g');
        rewritten := regexp_replace(rewritten, '\(\s*SELECT (caseload_current_user|caseload_current_agency)\(\) AS \w+\)', '\1()', 'g');
        IF rewritten ~* '\mSELECT\M' THEN
            RAISE EXCEPTION 'policy % on % has a subquery that Citus cannot distribute: %', p_policy, p_table, p_expression
                USING HINT = 'give it a Citus variant in caseload_citus_distribute() (schema/021_citus.sql)';
        END IF;
        RETURN rewritten;
    END
    $$;

-- One table's policies as one permissive policy per command (see caseload_citus_distribute):
-- PostgreSQL's own rule, written out. For a command, the row passes when any permissive policy
-- that applies passes (none: no row) and every restrictive one does; a check without WITH CHECK
-- uses the policy's USING (ALL and UPDATE policies).
CREATE FUNCTION caseload_citus_merge_policies(p_table text) RETURNS void
    LANGUAGE plpgsql
    AS $$
    DECLARE
        command text;
        using_expr text;
        check_expr text;
        pol record;
    BEGIN
        IF EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = 'public' AND tablename = p_table AND roles <> '{public}') THEN
            RAISE EXCEPTION 'a policy on % is for some roles only: give it a Citus variant in schema/021_citus.sql', p_table;
        END IF;
        FOREACH command IN ARRAY ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE'] LOOP
            SELECT '(' || coalesce(string_agg('(' || caseload_citus_policy_expression(p_table, policyname, qual) || ')', ' OR ')
                                   FILTER (WHERE permissive = 'PERMISSIVE'), 'false') || ')'
                   || coalesce(' AND ' || string_agg('(' || caseload_citus_policy_expression(p_table, policyname, qual) || ')', ' AND ')
                                   FILTER (WHERE permissive = 'RESTRICTIVE'), ''),
                   '(' || coalesce(string_agg('(' || caseload_citus_policy_expression(p_table, policyname, coalesce(with_check, qual)) || ')', ' OR ')
                                   FILTER (WHERE permissive = 'PERMISSIVE'), 'false') || ')'
                   || coalesce(' AND ' || string_agg('(' || caseload_citus_policy_expression(p_table, policyname, coalesce(with_check, qual)) || ')', ' AND ')
                                   FILTER (WHERE permissive = 'RESTRICTIVE'), '')
            INTO using_expr, check_expr
            FROM pg_policies
            WHERE schemaname = 'public' AND tablename = p_table AND cmd IN ('ALL', command)
              AND (CASE command WHEN 'INSERT' THEN coalesce(with_check, qual) ELSE coalesce(qual, with_check) END) IS NOT NULL
              -- An INSERT policy has no USING, an ALL or UPDATE policy may have no WITH CHECK.
              AND NOT (command IN ('SELECT', 'DELETE') AND qual IS NULL);
            IF command = 'SELECT' OR command = 'DELETE' THEN
                EXECUTE format('CREATE POLICY citus_%s ON %I FOR %s USING (%s)', lower(command), p_table, command, using_expr);
            ELSIF command = 'INSERT' THEN
                EXECUTE format('CREATE POLICY citus_%s ON %I FOR %s WITH CHECK (%s)', lower(command), p_table, command, check_expr);
            ELSE
                EXECUTE format('CREATE POLICY citus_%s ON %I FOR %s USING (%s) WITH CHECK (%s)', lower(command), p_table, command, using_expr, check_expr);
            END IF;
        END LOOP;
        FOR pol IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = p_table AND policyname NOT LIKE 'citus\_%' LOOP
            EXECUTE format('DROP POLICY %I ON %I', pol.policyname, p_table);
        END LOOP;
    END
    $$;

-- Turns this database into the Citus variant, once (a second call does nothing). Runs as the
-- schema owner on the coordinator, in the migrator's transaction.
CREATE FUNCTION caseload_citus_distribute() RETURNS text
    LANGUAGE plpgsql
    AS $$
    DECLARE
        -- child table, parent table, parent key, scope column
        children text[][] := ARRAY[
            ARRAY['case_history', 'cases', 'case_id', 'scope_company_id'],
            ARRAY['renewals_opened', 'cases', 'case_id', 'scope_company_id'],
            ARRAY['archives', 'applicants', 'applicant_id', 'scope_company_id'],
            ARRAY['archive_events', 'applicants', 'applicant_id', 'scope_company_id'],
            ARRAY['custody_events', 'documents', 'document_id', 'scope_company_id'],
            ARRAY['deadline_history', 'deadlines', 'deadline_id', 'scope_company_id'],
            ARRAY['deadline_reminders', 'deadlines', 'deadline_id', 'scope_company_id'],
            ARRAY['import_rows', 'imports', 'import_id', 'scope_user_id']];
        -- Tables that stay plain tables on the coordinator.
        local_tables text[] := ARRAY['caseload_schema_migrations', 'caseload_data_migrations', 'token_routes'];
        i int;
        pol record;
        t text;
        pending text[];
        ready text[];
        n int := 0;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
            RAISE EXCEPTION 'the citus extension is not installed in this database (CREATE EXTENSION citus first)';
        END IF;
        IF caseload_distributed() THEN
            RETURN 'already distributed';
        END IF;
        -- Triggers on distributed tables (audit, notify, the scopes below) are what this
        -- schema is made of; later migrations adding one need the same setting.
        SET LOCAL citus.enable_unsafe_triggers = on;
        EXECUTE format('ALTER DATABASE %I SET citus.enable_unsafe_triggers = on', current_database());
        -- Foreign keys between distributed tables created in one transaction.
        SET LOCAL citus.multi_shard_modify_mode = 'sequential';

        -- The token route.
        CREATE TABLE token_routes (
            token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
            agency_id  uuid NOT NULL
        );
        INSERT INTO token_routes SELECT token_hash, agency_id FROM tokens;
        ALTER TABLE tokens DROP CONSTRAINT tokens_token_hash_key;
        CREATE INDEX tokens_by_hash ON tokens (agency_id, token_hash);
        -- Login goes through the route from now on: the 001/008 body is kept, the name is the Citus one.
        ALTER FUNCTION caseload_authenticate(bytea) RENAME TO caseload_single_node_authenticate;
        ALTER FUNCTION caseload_citus_authenticate(bytea) RENAME TO caseload_authenticate;
        GRANT EXECUTE ON FUNCTION caseload_authenticate(bytea) TO caseload_app;

        -- Child scopes: the column, filled for the rows there are, kept by triggers.
        FOR i IN 1 .. array_length(children, 1) LOOP
            EXECUTE format('ALTER TABLE %I ADD COLUMN %I uuid', children[i][1], children[i][4]);
            EXECUTE format('UPDATE %1$I c SET %4$I = p.%5$I FROM %2$I p WHERE p.agency_id = c.agency_id AND p.%3$I = c.%3$I',
                children[i][1], children[i][2], children[i][3], children[i][4],
                CASE WHEN children[i][4] = 'scope_user_id' THEN 'user_id' ELSE 'company_id' END);
            EXECUTE format('CREATE TRIGGER scope BEFORE INSERT ON %I FOR EACH ROW EXECUTE FUNCTION caseload_citus_child_scope(%L, %L, %L)',
                children[i][1], children[i][2], children[i][3], children[i][4]);
        END LOOP;
        CREATE TRIGGER follow_company AFTER UPDATE OF company_id ON cases FOR EACH ROW
            WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id) EXECUTE FUNCTION caseload_citus_follow_company('case_id', 'case_history', 'renewals_opened');
        CREATE TRIGGER follow_company AFTER UPDATE OF company_id ON applicants FOR EACH ROW
            WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id) EXECUTE FUNCTION caseload_citus_follow_company('applicant_id', 'archives', 'archive_events');
        CREATE TRIGGER follow_company AFTER UPDATE OF company_id ON documents FOR EACH ROW
            WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id) EXECUTE FUNCTION caseload_citus_follow_company('document_id', 'custody_events');
        CREATE TRIGGER follow_company AFTER UPDATE OF company_id ON deadlines FOR EACH ROW
            WHEN (OLD.company_id IS DISTINCT FROM NEW.company_id) EXECUTE FUNCTION caseload_citus_follow_company('deadline_id', 'deadline_history', 'deadline_reminders');

        -- NOTIFY from a worker's trigger never reaches the coordinator's LISTEN, and PostgreSQL
        -- refuses to PREPARE (two-phase commit, which Citus uses when a transaction writes on
        -- more than one node) a transaction that has notified: on Citus the events go quiet
        -- (docs/scaling.md §4: an events table polled by (agency_id, event_id) is the way on).
        DROP TRIGGER notify ON cases;
        DROP TRIGGER notify ON deadlines;
        DROP TRIGGER notify ON custody_events;
        DROP TRIGGER notify ON deadline_reminders;

        -- Policies: the children's EXISTS become scope checks, every init plan a plain call.
        FOR i IN 1 .. array_length(children, 1) LOOP
            EXECUTE format('ALTER POLICY company_scope ON %I USING (%s)', children[i][1],
                CASE WHEN children[i][4] = 'scope_user_id'
                    THEN 'caseload_citus_sees_all_companies() OR scope_user_id = caseload_current_user()'
                    ELSE 'caseload_citus_sees_all_companies() OR scope_company_id = ANY (caseload_citus_visible_companies())' END);
        END LOOP;
        -- Citus 13.2.2 copies policies to the shards without AS RESTRICTIVE (its
        -- CreatePolicyCommandForPolicy never writes it), which would OR every restrictive
        -- policy with agency_isolation on the workers. So each table gets one permissive
        -- policy per command, the AND of all that applied to it, which Citus copies faithfully.
        FOR t IN SELECT DISTINCT tablename FROM pg_policies WHERE schemaname = 'public' LOOP
            PERFORM caseload_citus_merge_policies(t);
        END LOOP;

        -- 013's report as Citus plans it: plpgsql (Citus refuses SQL function bodies that
        -- read distributed tables unless inlined), and the CTE's column list as aliases
        -- (Citus pushes `WITH stored (agency_id, entity, ...)` down without it).
        CREATE OR REPLACE FUNCTION caseload_dates_out_of_range()
            RETURNS TABLE (agency_id uuid, entity text, entity_id uuid, field text, value text)
            LANGUAGE plpgsql STABLE
            AS $body$
            #variable_conflict use_column
            BEGIN
                RETURN QUERY
                SELECT s.agency_id, s.entity, s.entity_id, s.field, s.value FROM (
                    SELECT a.agency_id AS agency_id, 'applicant'::text AS entity, a.applicant_id AS entity_id, 'birth_date'::text AS field, a.birth_date::text AS value FROM applicants a
                    UNION ALL
                    SELECT a.agency_id, 'applicant', a.applicant_id, f.key, f.value
                    FROM applicants a, jsonb_each_text(a.profile) AS f(key, value)
                    WHERE f.key IN ('permit_received_date', 'permit_expiry_date')
                    UNION ALL
                    SELECT c.agency_id, 'case', c.case_id, 'stage data', d #>> '{}'
                    FROM cases c, jsonb_path_query(c.state, 'strict $.** ? (@.type == "date").value') AS d
                    UNION ALL
                    SELECT d.agency_id, 'deadline', d.deadline_id, 'due_date', d.due_date::text FROM deadlines d
                    UNION ALL
                    SELECT d.agency_id, 'deadline', d.deadline_id, 'base_date', d.base_date::text FROM deadlines d WHERE d.base_date IS NOT NULL
                    UNION ALL
                    SELECT p.agency_id, 'points_rules', NULL, p.version, p.effective_from::text FROM points_rule_versions p
                    UNION ALL
                    SELECT k.agency_id, 'calendar', NULL, 'day', k.day::text FROM calendar_days k
                ) s
                WHERE s.value !~ '^\d{4}-\d{2}-\d{2}$' OR s.value < '1900-01-01' OR s.value > '2100-12-31'
                ORDER BY 1, 2, 3, 4;
            END
            $body$;

        -- The server's role adds routes for its own agency's tokens (caseload_route_token);
        -- only login (SECURITY DEFINER) reads them.
        ALTER TABLE token_routes ENABLE ROW LEVEL SECURITY;
        CREATE POLICY citus_insert ON token_routes FOR INSERT WITH CHECK (agency_id = caseload_current_agency());
        GRANT INSERT ON token_routes TO caseload_app;
        PERFORM create_reference_table('token_routes');
        -- Every table with an agency_id, co-located with agencies, each after the tables its
        -- foreign keys reference.
        PERFORM create_distributed_table('agencies', 'agency_id');
        SELECT array_agg(c.relname::text) INTO pending
        FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'agency_id' AND NOT a.attisdropped
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
          AND c.relname <> 'agencies' AND c.relname <> ALL (local_tables);
        WHILE coalesce(array_length(pending, 1), 0) > 0 LOOP
            SELECT array_agg(p) INTO ready FROM unnest(pending) p
            WHERE NOT EXISTS (
                SELECT 1 FROM pg_constraint k
                WHERE k.contype = 'f' AND k.conrelid = p::regclass AND k.confrelid <> k.conrelid
                  AND (k.confrelid::regclass)::text = ANY (pending));
            IF ready IS NULL THEN
                RAISE EXCEPTION 'foreign keys form a cycle among %', pending;
            END IF;
            FOREACH t IN ARRAY ready LOOP
                PERFORM create_distributed_table(t, 'agency_id', colocate_with => 'agencies');
                n := n + 1;
            END LOOP;
            pending := ARRAY(SELECT p FROM unnest(pending) p WHERE p <> ALL (ready));
        END LOOP;
        RETURN format('distributed %s tables on agency_id, co-located with agencies', n + 1);
    END
    $$;
