-- 001 foundation: agencies (the tenants), their users and login tokens, client companies,
-- and the row-level security that keeps one agency's rows away from every other agency.
--
-- Every table carries agency_id and its keys lead with it. The server connects as a login
-- role that is a member of caseload_app: it owns nothing, is not a superuser and cannot
-- bypass RLS, so a query that forgets its agency filter still sees only its own agency.

-- Roles are cluster-wide: another database of the same cluster may have created it already,
-- possibly at this very moment.
DO $$
BEGIN
    CREATE ROLE caseload_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO caseload_app;

-- The agency the current transaction acts for, set by the server with
-- set_config('caseload.agency_id', ..., true). Unset means no agency: every policy fails.
CREATE FUNCTION caseload_current_agency() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('caseload.agency_id', true), '')::uuid $$;

CREATE TABLE agencies (
    agency_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    agency_id  uuid NOT NULL REFERENCES agencies,
    user_id    uuid NOT NULL DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role       text NOT NULL CHECK (role IN ('owner', 'manager', 'consultant', 'viewer', 'client')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, user_id)
);

-- Tokens are stored only as SHA-256 hashes: the token itself is shown once, at creation.
CREATE TABLE tokens (
    agency_id  uuid NOT NULL,
    token_id   uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    PRIMARY KEY (agency_id, token_id),
    FOREIGN KEY (agency_id, user_id) REFERENCES users
);

CREATE TABLE companies (
    agency_id            uuid NOT NULL REFERENCES agencies,
    company_id           uuid NOT NULL DEFAULT gen_random_uuid(),
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- 统一社会信用代码, normalised upper case; override = the recorded reason a failing checksum was accepted.
    credit_code          text CHECK (credit_code ~ '^[0-9A-Z]{18}$'),
    credit_code_override text,
    -- 组织机构代码 written XXXXXXXX-X: kept apart from the credit code because a company
    -- registered before the three-certificates merger is known by it in the points system.
    org_code             text CHECK (org_code ~ '^[0-9A-Z]{8}-[0-9X]$'),
    org_code_override    text,
    district             text,
    hr_name              text,
    hr_phone             text,
    talent_center_status text NOT NULL DEFAULT 'unregistered'
        CHECK (talent_center_status IN ('unregistered', 'registered_online', 'activated', 'change_pending')),
    version              integer NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, company_id),
    UNIQUE (agency_id, credit_code),
    UNIQUE (agency_id, org_code),
    CHECK (credit_code IS NOT NULL OR org_code IS NOT NULL)
);

-- Keyset pagination walks (name, company_id) within an agency.
CREATE INDEX companies_by_name ON companies (agency_id, name, company_id);

ALTER TABLE agencies ENABLE ROW LEVEL SECURITY;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE companies ENABLE ROW LEVEL SECURITY;

CREATE POLICY agency_isolation ON agencies
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON users
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON tokens
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());
CREATE POLICY agency_isolation ON companies
    USING (agency_id = caseload_current_agency()) WITH CHECK (agency_id = caseload_current_agency());

GRANT SELECT ON agencies, users TO caseload_app;
GRANT SELECT ON tokens TO caseload_app;
GRANT SELECT, INSERT, UPDATE ON companies TO caseload_app;

-- Login happens before the agency is known, so it is the one lookup that crosses agencies:
-- a SECURITY DEFINER function that answers only for the exact token hash it is given.
CREATE FUNCTION caseload_authenticate(p_token_hash bytea)
    RETURNS TABLE (agency_id uuid, user_id uuid, role text, user_name text, agency_name text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
        SELECT t.agency_id, t.user_id, u.role, u.name, a.name
        FROM tokens t
        JOIN users u ON u.agency_id = t.agency_id AND u.user_id = t.user_id
        JOIN agencies a ON a.agency_id = t.agency_id
        WHERE t.token_hash = p_token_hash
          AND t.revoked_at IS NULL
          AND (t.expires_at IS NULL OR t.expires_at > now())
    $$;

REVOKE ALL ON FUNCTION caseload_authenticate(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caseload_authenticate(bytea) TO caseload_app;
