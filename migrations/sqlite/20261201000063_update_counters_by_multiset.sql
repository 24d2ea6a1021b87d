-- Nothing changes on SQLite. The PostgreSQL migration of this version rewrites its
-- statement-level UPDATE counter triggers, which paired old and new rows by id and so
-- miscounted an UPDATE that changes an id; SQLite keeps row triggers (migration 62), whose
-- OLD and NEW are always the two versions of the same row, whatever its id.
select 1;
