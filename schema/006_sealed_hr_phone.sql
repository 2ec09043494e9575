-- 006 the HR contact's phone is personal data too: sealed like applicants' identifiers, with
-- a masked copy for lists. `caseload-server migrate` (run with the server's CASELOAD_PII_*
-- keys in its environment) seals any plaintext left in hr_phone and clears it.
--
-- Also: a staged import row sent again replaces the earlier one, which needs UPDATE.

ALTER TABLE companies
    ADD COLUMN hr_phone_sealed bytea,
    ADD COLUMN hr_phone_key    text,
    ADD COLUMN hr_phone_masked text,
    ADD CONSTRAINT companies_hr_phone_sealed_with_key CHECK ((hr_phone_sealed IS NULL) = (hr_phone_key IS NULL));

GRANT UPDATE ON import_rows TO caseload_app;
