-- 009 live events and once-only reminders.
--
-- A change that a watcher may care about sends a small NOTIFY on channel caseload_events:
-- the agency, the kind and ids only, never personal data. NOTIFY is transactional, so an
-- event is sent exactly when its change commits, and every server instance listening (one
-- LISTEN connection each) hears it, whichever instance made the change. Each instance
-- fetches details for its own subscribers with their permissions.

CREATE FUNCTION caseload_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    DECLARE
        kind text := TG_ARGV[0];
        event jsonb;
    BEGIN
        IF TG_TABLE_NAME = 'cases' THEN
            event := jsonb_build_object('case_id', NEW.case_id, 'company_id', NEW.company_id);
        ELSIF TG_TABLE_NAME = 'deadlines' THEN
            IF TG_OP = 'UPDATE' AND NEW.state IS NOT DISTINCT FROM OLD.state THEN
                RETURN NULL;
            END IF;
            IF NEW.state = 'missed' THEN
                kind := 'deadline_missed';
            ELSIF TG_OP = 'UPDATE' THEN
                kind := 'deadline_changed';
            END IF;
            event := jsonb_build_object('deadline_id', NEW.deadline_id, 'case_id', NEW.case_id, 'company_id', NEW.company_id);
        ELSIF TG_TABLE_NAME = 'deadline_reminders' THEN
            SELECT jsonb_build_object('deadline_id', d.deadline_id, 'case_id', d.case_id, 'company_id', d.company_id)
            INTO event FROM deadlines d WHERE d.agency_id = NEW.agency_id AND d.deadline_id = NEW.deadline_id;
        ELSIF TG_TABLE_NAME = 'custody_events' THEN
            SELECT jsonb_build_object('document_id', d.document_id, 'case_id', d.case_id, 'company_id', d.company_id)
            INTO event FROM documents d WHERE d.agency_id = NEW.agency_id AND d.document_id = NEW.document_id;
        END IF;
        PERFORM pg_notify('caseload_events', (event || jsonb_build_object('agency_id', NEW.agency_id, 'kind', kind))::text);
        RETURN NULL;
    END
    $$;

CREATE TRIGGER notify AFTER INSERT OR UPDATE ON cases FOR EACH ROW EXECUTE FUNCTION caseload_notify('case_changed');
CREATE TRIGGER notify AFTER UPDATE OF state ON deadlines FOR EACH ROW EXECUTE FUNCTION caseload_notify('deadline_changed');
CREATE TRIGGER notify AFTER INSERT ON custody_events FOR EACH ROW EXECUTE FUNCTION caseload_notify('document_moved');

-- "Due today" reminders, once per deadline and day whatever the number of servers: the row's
-- key is the claim, and its insert sends the event.
CREATE TABLE deadline_reminders (
    agency_id   uuid NOT NULL,
    deadline_id uuid NOT NULL,
    day         date NOT NULL,
    sent_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, deadline_id, day),
    FOREIGN KEY (agency_id, deadline_id) REFERENCES deadlines
);
ALTER TABLE deadline_reminders ENABLE ROW LEVEL SECURITY;
CREATE POLICY agency_isolation ON deadline_reminders
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY company_scope ON deadline_reminders AS RESTRICTIVE
    USING (EXISTS (SELECT 1 FROM deadlines p WHERE p.agency_id = deadline_reminders.agency_id AND p.deadline_id = deadline_reminders.deadline_id));
CREATE POLICY writers_insert ON deadline_reminders AS RESTRICTIVE FOR INSERT WITH CHECK ((SELECT caseload_may_write()));
GRANT SELECT, INSERT ON deadline_reminders TO caseload_app;
CREATE TRIGGER notify AFTER INSERT ON deadline_reminders FOR EACH ROW EXECUTE FUNCTION caseload_notify('deadline_due');

-- The scheduler visits every agency; the server's role sees none but the current one, so
-- this one function lists their ids (and nothing else).
CREATE FUNCTION caseload_agency_ids() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$ SELECT agency_id FROM agencies ORDER BY agency_id $$;
REVOKE ALL ON FUNCTION caseload_agency_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caseload_agency_ids() TO caseload_app;
