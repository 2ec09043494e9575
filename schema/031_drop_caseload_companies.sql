-- 031 caseload_companies() goes: nothing calls it any more.
--
-- The consultant filters (020, 026) called it inside their queries; on Citus a function that
-- reads a distributed table cannot run inside a query on a shard, so the stores and the
-- benchmark's mirrors of their SQL now read company_consultants directly (the same set, the
-- same index, company_consultants_by_user (agency_id, user_id)).
DROP FUNCTION caseload_companies(uuid, uuid);
