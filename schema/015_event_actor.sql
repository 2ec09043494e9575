-- 015 who made a change, in its event.
--
-- A watch line says who changed what ("王芳 advanced 张伟's case"), so the event carries the
-- user the transaction acts for (caseload.user_id, set by every call; NULL for the server's
-- own jobs). Still ids only: the server names the user for each subscriber it may show.

CREATE OR REPLACE FUNCTION caseload_notify() RETURNS trigger
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
        PERFORM pg_notify('caseload_events', (event || jsonb_build_object('agency_id', NEW.agency_id, 'kind', kind, 'user_id', caseload_current_user()))::text);
        RETURN NULL;
    END
    $$;
