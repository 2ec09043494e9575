-- Optimistic concurrency for the records clients change besides companies, applicants and
-- cases (whose stores bump `version` in their own UPDATEs): users, documents (custody moves),
-- archives and deadlines (done, waived). Every method that changes one of them takes the
-- version the client read and answers `conflict` with the current one when it moved on.
--
-- These rows also change on paths no client call names (a document's derived holder, a
-- deadline recomputed when its case advances or marked missed by the nightly job), so the
-- bump is a trigger: every change of the row, by any path, makes a client's copy stale.
ALTER TABLE users ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE documents ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE archives ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE deadlines ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE FUNCTION caseload_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER bump_version BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION caseload_bump_version();
CREATE TRIGGER bump_version BEFORE UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION caseload_bump_version();
CREATE TRIGGER bump_version BEFORE UPDATE ON archives FOR EACH ROW EXECUTE FUNCTION caseload_bump_version();
CREATE TRIGGER bump_version BEFORE UPDATE ON deadlines FOR EACH ROW EXECUTE FUNCTION caseload_bump_version();
