-- Nothing to change on SQLite (the PostgreSQL migration of this version replaces the counter
-- row triggers of migrations 31 and 61 with statement-level ones).
--
-- PostgreSQL needed it because an UPDATE there writes a new version of the row and keeps
-- every version made in the transaction, so n row-trigger updates of one totals row within
-- one statement cost O(n²). SQLite has no such version chains: it updates the row in place in
-- the page cache, so each row trigger's update costs the same whatever came before it, and a
-- statement of n rows costs O(n). SQLite has no statement-level triggers or transition tables
-- either, so its row triggers stay.
select 1;
