-- 029 watch events on Citus: a table the servers poll, instead of NOTIFY.
--
-- On a single PostgreSQL nothing changes: the notify triggers send NOTIFY and every server
-- instance's LISTEN hears it (009). On Citus a shard's trigger runs on its worker, whose NOTIFY
-- never reaches a LISTEN on the coordinator, and PostgreSQL refuses to PREPARE (two-phase
-- commit) a transaction that has notified; the Citus step (021) dropped the triggers and watch
-- went quiet. There the same triggers, given a second argument 'log', write the same payload
-- (ids only, never personal data) as a row of event_log in the writing transaction, so an event
-- exists exactly when its change committed, and each server instance polls the table
-- (EventListener's poll and EventWindow; docs/scaling.md §4 says why a time window and not an
-- id cursor).

CREATE TABLE event_log (
    agency_id  uuid NOT NULL,
    event_id   bigint GENERATED ALWAYS AS IDENTITY,
    -- When the row was written (not the transaction's start): the poller's window is on it.
    written_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    payload    jsonb NOT NULL,
    PRIMARY KEY (agency_id, event_id)
);
CREATE INDEX event_log_by_time ON event_log (written_at);
-- The server's role writes its agency's events from the triggers and reads none: the pollers
-- read every agency's through caseload_events_since (SECURITY DEFINER), ids only.
ALTER TABLE event_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY agency_isolation ON event_log
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
GRANT INSERT ON event_log TO caseload_app;

CREATE OR REPLACE FUNCTION caseload_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    DECLARE
        kind text := TG_ARGV[0];
        -- On Citus the trigger fires on a shard (cases_102008): its table's name (028).
        logical_table text := caseload_logical_table(TG_TABLE_NAME);
        event jsonb;
    BEGIN
        IF logical_table = 'cases' THEN
            event := jsonb_build_object('case_id', NEW.case_id, 'company_id', NEW.company_id);
        ELSIF logical_table = 'deadlines' THEN
            IF TG_OP = 'UPDATE' AND NEW.state IS NOT DISTINCT FROM OLD.state THEN
                RETURN NULL;
            END IF;
            IF NEW.state = 'missed' THEN
                kind := 'deadline_missed';
            ELSIF TG_OP = 'UPDATE' THEN
                kind := 'deadline_changed';
            END IF;
            event := jsonb_build_object('deadline_id', NEW.deadline_id, 'case_id', NEW.case_id, 'company_id', NEW.company_id);
        ELSIF logical_table = 'deadline_reminders' THEN
            SELECT jsonb_build_object('deadline_id', d.deadline_id, 'case_id', d.case_id, 'company_id', d.company_id)
            INTO event FROM deadlines d WHERE d.agency_id = NEW.agency_id AND d.deadline_id = NEW.deadline_id;
        ELSIF logical_table = 'custody_events' THEN
            SELECT jsonb_build_object('document_id', d.document_id, 'case_id', d.case_id, 'company_id', d.company_id)
            INTO event FROM documents d WHERE d.agency_id = NEW.agency_id AND d.document_id = NEW.document_id;
        END IF;
        event := event || jsonb_build_object('agency_id', NEW.agency_id, 'kind', kind, 'user_id', caseload_current_user());
        IF TG_ARGV[1] = 'log' THEN
            INSERT INTO event_log (agency_id, payload) VALUES (NEW.agency_id, event);
        ELSE
            PERFORM pg_notify('caseload_events', event::text);
        END IF;
        RETURN NULL;
    END
    $$;

-- Every agency's events written after `since`, oldest first, for the servers' pollers.
-- PL/pgSQL, not SQL: Citus cannot plan a parameter of an SQL function against its shards.
CREATE FUNCTION caseload_events_since(since timestamptz)
    RETURNS TABLE (agency_id uuid, event_id bigint, written_at timestamptz, payload text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    BEGIN
        RETURN QUERY SELECT e.agency_id, e.event_id, e.written_at, e.payload::text FROM event_log e
            WHERE e.written_at > since ORDER BY e.written_at, e.event_id;
    END
    $$;
REVOKE ALL ON FUNCTION caseload_events_since(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caseload_events_since(timestamptz) TO caseload_app;

-- Drops events older than ten minutes (every poller has long read them: it looks back 30 s,
-- and after an outage tells its subscribers of the gap); how many. The cut-off is
-- a value, not now() in the WHERE, so Citus can send the DELETE to every shard as it is.
CREATE FUNCTION caseload_events_prune() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
    DECLARE
        cutoff timestamptz := now() - interval '10 minutes';
        n bigint;
    BEGIN
        DELETE FROM event_log WHERE written_at < cutoff;
        GET DIAGNOSTICS n = ROW_COUNT;
        RETURN n;
    END
    $$;
REVOKE ALL ON FUNCTION caseload_events_prune() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caseload_events_prune() TO caseload_app;

-- On Citus: the notify triggers again, writing event_log. Run here on a database already
-- distributed, and by `migrate --citus` right after caseload_citus_distribute() (which drops
-- the NOTIFY triggers and distributes event_log with every other table) on a new one.
CREATE FUNCTION caseload_citus_event_log() RETURNS text
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF NOT caseload_distributed() THEN
            RETURN 'not distributed';
        END IF;
        SET LOCAL citus.enable_unsafe_triggers = on;
        SET LOCAL citus.multi_shard_modify_mode = 'sequential';
        IF NOT EXISTS (SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'event_log'::regclass) THEN
            PERFORM create_distributed_table('event_log', 'agency_id', colocate_with => 'agencies');
        END IF;
        DROP TRIGGER IF EXISTS notify ON cases;
        DROP TRIGGER IF EXISTS notify ON deadlines;
        DROP TRIGGER IF EXISTS notify ON custody_events;
        DROP TRIGGER IF EXISTS notify ON deadline_reminders;
        CREATE TRIGGER notify AFTER INSERT OR UPDATE ON cases FOR EACH ROW EXECUTE FUNCTION caseload_notify('case_changed', 'log');
        CREATE TRIGGER notify AFTER UPDATE OF state ON deadlines FOR EACH ROW EXECUTE FUNCTION caseload_notify('deadline_changed', 'log');
        CREATE TRIGGER notify AFTER INSERT ON custody_events FOR EACH ROW EXECUTE FUNCTION caseload_notify('document_moved', 'log');
        CREATE TRIGGER notify AFTER INSERT ON deadline_reminders FOR EACH ROW EXECUTE FUNCTION caseload_notify('deadline_due', 'log');
        RETURN 'events through event_log';
    END
    $$;

SELECT caseload_citus_event_log();
