-- livestock: the PostgreSQL migration of this number keeps its gram triggers off the JIT;
-- SQLite has no JIT, and its gram triggers are plain statements. Nothing to change here; the
-- number is kept so both engines have the same list of migrations.
select 1;
