-- 016 names findable by pinyin: `caseload find zhangwei` or `zw` finds 张伟.
--
-- The columns hold CaseloadCore's Pinyin.full / Pinyin.initials of the name (of a company's
-- short name, what people call it), written by the stores with every insert and update of a
-- name. SQL cannot compute them, so rows stored before this migration keep NULL until
-- `caseload-server migrate` fills them, a batch at a time (Migrator.fillNamePinyin).
--
-- A search is a prefix of either column inside one agency: btree with text_pattern_ops makes
-- `LIKE 'zhang%'` an index range whatever the database's collation. (pg_trgm is not used:
-- Chinese substrings are a scan of one agency's names, and the extension may be absent.)
ALTER TABLE applicants ADD COLUMN name_pinyin text, ADD COLUMN name_initials text;
ALTER TABLE companies ADD COLUMN name_pinyin text, ADD COLUMN name_initials text;

CREATE INDEX applicants_by_pinyin ON applicants (agency_id, name_pinyin text_pattern_ops);
CREATE INDEX applicants_by_initials ON applicants (agency_id, name_initials text_pattern_ops);
CREATE INDEX companies_by_pinyin ON companies (agency_id, name_pinyin text_pattern_ops);
CREATE INDEX companies_by_initials ON companies (agency_id, name_initials text_pattern_ops);
