-- 003 documents held, their custody ledger, the agency's storage locations, and personnel
-- archives (人事档案).
--
-- Where a paper is comes from its custody ledger (custody_events), which is append-only. The
-- documents table keeps a copy of the current holder so lists and "out for more than N days"
-- queries stay cheap; the server's role may update only those derived columns, in the same
-- transaction that appends the event they derive from.

CREATE TABLE storage_locations (
    agency_id   uuid NOT NULL REFERENCES agencies,
    location_id uuid NOT NULL DEFAULT gen_random_uuid(),
    parent_id   uuid,
    kind        text NOT NULL CHECK (kind IN ('office', 'cabinet', 'drawer', 'box')),
    code        text NOT NULL CHECK (code ~ '^[A-Z0-9-]{1,16}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, location_id),
    UNIQUE (agency_id, code),
    -- A location with sub-locations cannot be deleted (RESTRICT).
    FOREIGN KEY (agency_id, parent_id) REFERENCES storage_locations (agency_id, location_id)
);

CREATE TABLE documents (
    agency_id     uuid NOT NULL,
    document_id   uuid NOT NULL DEFAULT gen_random_uuid(),
    company_id    uuid NOT NULL,
    applicant_id  uuid,
    case_id       uuid,
    document_type text NOT NULL,
    form          text NOT NULL CHECK (form IN ('original', 'copy', 'sealed_copy')),
    description   text,
    -- Derived from the ledger: the holder as CaseloadCore's Holder encodes it, its kind, the
    -- storage location (a location holding documents cannot be deleted), and since when.
    holder        jsonb,
    holder_kind   text,
    location_id   uuid,
    holder_since  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, document_id),
    FOREIGN KEY (agency_id, company_id) REFERENCES companies,
    FOREIGN KEY (agency_id, applicant_id) REFERENCES applicants,
    FOREIGN KEY (agency_id, case_id) REFERENCES cases,
    FOREIGN KEY (agency_id, location_id) REFERENCES storage_locations
);
CREATE INDEX documents_by_holder ON documents (agency_id, holder_kind, holder_since);
CREATE INDEX documents_by_applicant ON documents (agency_id, applicant_id);
CREATE INDEX documents_by_case ON documents (agency_id, case_id);
CREATE INDEX documents_by_location ON documents (agency_id, location_id);

CREATE TABLE custody_events (
    agency_id   uuid NOT NULL,
    document_id uuid NOT NULL,
    seq         integer NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    user_id     uuid NOT NULL,
    event       jsonb NOT NULL,
    holder      jsonb NOT NULL,
    PRIMARY KEY (agency_id, document_id, seq),
    FOREIGN KEY (agency_id, document_id) REFERENCES documents,
    FOREIGN KEY (agency_id, user_id) REFERENCES users
);

CREATE TABLE archives (
    agency_id    uuid NOT NULL,
    applicant_id uuid NOT NULL,
    holder_type  text NOT NULL DEFAULT 'unknown',
    holder_name  text,
    district     text,
    status       text NOT NULL DEFAULT 'unknown',
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, applicant_id),
    FOREIGN KEY (agency_id, applicant_id) REFERENCES applicants
);

CREATE TABLE archive_events (
    agency_id    uuid NOT NULL,
    applicant_id uuid NOT NULL,
    seq          integer NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    user_id      uuid NOT NULL,
    from_status  text,
    to_status    text NOT NULL,
    holder_type  text NOT NULL,
    holder_name  text,
    district     text,
    note         text,
    PRIMARY KEY (agency_id, applicant_id, seq),
    FOREIGN KEY (agency_id, applicant_id) REFERENCES archives,
    FOREIGN KEY (agency_id, user_id) REFERENCES users
);

ALTER TABLE storage_locations ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE custody_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE archives ENABLE ROW LEVEL SECURITY;
ALTER TABLE archive_events ENABLE ROW LEVEL SECURITY;

CREATE POLICY agency_isolation ON storage_locations
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON documents
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON custody_events
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON archives
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON archive_events
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());

GRANT SELECT, INSERT, DELETE ON storage_locations TO caseload_app;
GRANT SELECT, INSERT ON documents TO caseload_app;
GRANT UPDATE (holder, holder_kind, location_id, holder_since) ON documents TO caseload_app;
GRANT SELECT, INSERT ON custody_events TO caseload_app;
GRANT SELECT, INSERT, UPDATE ON archives TO caseload_app;
GRANT SELECT, INSERT ON archive_events TO caseload_app;
