-- 024 a consultant's pending deadlines by company, and the caseload's size as the planner's
-- estimate.
--
-- The agenda and the overdue list of a consultant read pending deadlines of the companies in
-- their caseload (020's caseload_companies). With only deadlines_by_due (agency, state, due)
-- PostgreSQL read every pending deadline of the agency up to the date and dropped those of
-- other companies: it grows with the agency, not the caseload (12.5 ms for 1,128 lines of a
-- 2,011-case caseload in a 10,000-case agency; 65–85 ms in the 50,000-case one). By company
-- it reads each of the caseload's companies' own lines: 1.9 ms for the same 1,128.
--
-- A set-returning function is estimated at 1,000 rows, which hid that plan: a caseload is
-- tens of companies, so the estimate becomes 20.
CREATE INDEX deadlines_by_company_due ON deadlines (agency_id, company_id, state, due_date);
ALTER FUNCTION caseload_companies(uuid, uuid) ROWS 20;
