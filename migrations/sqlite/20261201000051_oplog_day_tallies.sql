-- platform: day-level sums of the operation-log tallies, and tallies kept on delete.
--
-- A list's total summed one hourly tally row per hour of its range (4,320 rows for 180 days of
-- entries: ~15 ms at 5,000,000 entries). Per UTC day (`day` = created_at / 86400000000) the
-- same counts cut a list without dates to one row per day; a range sums whole days here, the
-- whole hours at its edges from `operation_log_tallies`, and counts its partial hours exactly.
-- WITHOUT ROWID: the rows of one filter value lie together in key order.
create table operation_log_day_tallies (
    dim text not null,
    val text not null,
    day integer not null,
    n integer not null,
    primary key (dim, val, day)
) without rowid;

insert into operation_log_day_tallies (dim, val, day, n)
    select dim, val, hour / 24, sum(n) from operation_log_tallies group by dim, val, hour / 24;

-- Both sums in the statement that writes the entry.
drop trigger operation_logs_tally;
create trigger operation_logs_tally after insert on operation_logs
begin
    insert into operation_log_tallies (dim, val, hour, n) values
        ('all', '', new.created_at / 3600000000, 1),
        ('user', coalesce(cast(new.user_id as text), ''), new.created_at / 3600000000, 1),
        ('module', new.module, new.created_at / 3600000000, 1),
        ('action', new.action, new.created_at / 3600000000, 1),
        ('ip', new.ip, new.created_at / 3600000000, 1)
    on conflict (dim, val, hour) do update set n = n + 1;
    insert into operation_log_day_tallies (dim, val, day, n) values
        ('all', '', new.created_at / 86400000000, 1),
        ('user', coalesce(cast(new.user_id as text), ''), new.created_at / 86400000000, 1),
        ('module', new.module, new.created_at / 86400000000, 1),
        ('action', new.action, new.created_at / 86400000000, 1),
        ('ip', new.ip, new.created_at / 86400000000, 1)
    on conflict (dim, val, day) do update set n = n + 1;
end;

-- A deleted entry (the retention purge) leaves both sums in the statement that deletes it, so
-- totals stay exact at every step of a purge, not only once it has finished.
create trigger operation_logs_untally after delete on operation_logs
begin
    update operation_log_tallies set n = n - 1
        where dim = 'all' and val = '' and hour = old.created_at / 3600000000;
    update operation_log_tallies set n = n - 1
        where dim = 'user' and val = coalesce(cast(old.user_id as text), '')
        and hour = old.created_at / 3600000000;
    update operation_log_tallies set n = n - 1
        where dim = 'module' and val = old.module and hour = old.created_at / 3600000000;
    update operation_log_tallies set n = n - 1
        where dim = 'action' and val = old.action and hour = old.created_at / 3600000000;
    update operation_log_tallies set n = n - 1
        where dim = 'ip' and val = old.ip and hour = old.created_at / 3600000000;
    update operation_log_day_tallies set n = n - 1
        where dim = 'all' and val = '' and day = old.created_at / 86400000000;
    update operation_log_day_tallies set n = n - 1
        where dim = 'user' and val = coalesce(cast(old.user_id as text), '')
        and day = old.created_at / 86400000000;
    update operation_log_day_tallies set n = n - 1
        where dim = 'module' and val = old.module and day = old.created_at / 86400000000;
    update operation_log_day_tallies set n = n - 1
        where dim = 'action' and val = old.action and day = old.created_at / 86400000000;
    update operation_log_day_tallies set n = n - 1
        where dim = 'ip' and val = old.ip and day = old.created_at / 86400000000;
end;
