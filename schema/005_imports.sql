-- 005 bulk imports: rows are staged in batches (each request stays under the line limit),
-- then validated and applied in one transaction. Staged rows hold personal data, so they are
-- sealed like applicants' identifiers and deleted when the import is committed.

CREATE TABLE imports (
    agency_id    uuid NOT NULL REFERENCES agencies,
    import_id    uuid NOT NULL DEFAULT gen_random_uuid(),
    kind         text NOT NULL CHECK (kind IN ('applicants')),
    user_id      uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    committed_at timestamptz,
    PRIMARY KEY (agency_id, import_id),
    FOREIGN KEY (agency_id, user_id) REFERENCES users
);

CREATE TABLE import_rows (
    agency_id  uuid NOT NULL,
    import_id  uuid NOT NULL,
    row_number integer NOT NULL CHECK (row_number > 0),
    sealed     bytea NOT NULL,
    key_id     text NOT NULL,
    PRIMARY KEY (agency_id, import_id, row_number),
    FOREIGN KEY (agency_id, import_id) REFERENCES imports
);

ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_rows ENABLE ROW LEVEL SECURITY;
CREATE POLICY agency_isolation ON imports
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON import_rows
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());

GRANT SELECT, INSERT, UPDATE ON imports TO caseload_app;
GRANT SELECT, INSERT, DELETE ON import_rows TO caseload_app;
