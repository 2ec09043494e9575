-- 027 the staged rows' audit entry is written by the import store, not a statement trigger.
--
-- 008 gave import_rows one audit entry per statement (the count; the rows are sealed) from
-- an AFTER … FOR EACH STATEMENT trigger reading its transition table. Citus runs a shard's
-- statement triggers without the transition table ("could not find named tuplestore"), so on
-- a sharded database no import could stage a row. ImportStore.stage now writes the same entry
-- itself, in the staging call's transaction, on a single PostgreSQL and on Citus alike.
--
-- On Citus the trigger's drop runs on every shard; the function's drop in the same
-- transaction must then use the same connections (a placeholder setting elsewhere).
SET LOCAL citus.multi_shard_modify_mode TO 'sequential';
DROP TRIGGER audit ON import_rows;
DROP FUNCTION caseload_audit_import_rows();
