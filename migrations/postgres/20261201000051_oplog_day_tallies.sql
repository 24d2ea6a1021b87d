-- platform: day-level sums of the operation-log tallies, and tallies kept on delete.
--
-- A list's total summed one hourly tally row per hour of its range (4,320 rows for 180 days of
-- entries: ~15 ms at 5,000,000 entries). Per UTC day (`day` = created_at / 86400000000) the
-- same counts cut a list without dates to one row per day; a range sums whole days here, the
-- whole hours at its edges from `operation_log_tallies`, and counts its partial hours exactly.
create table operation_log_day_tallies (
    dim text not null,
    val text not null,
    day bigint not null,
    n bigint not null,
    primary key (dim, val, day)
);

insert into operation_log_day_tallies (dim, val, day, n)
    select dim, val, hour / 24, sum(n) from operation_log_tallies group by dim, val, hour / 24;

-- Both sums in the statement that writes the entries (one pass over its rows), in key order
-- (concurrent writers on several nodes lock tally rows in the same order).
create or replace function operation_logs_tally() returns trigger language plpgsql as $$
begin
    with k as (
        select dim, val, hour, count(*) as n from (
            select 'all'::text as dim, ''::text as val, created_at / 3600000000 as hour from new_rows
            union all select 'user', coalesce(user_id::text, ''), created_at / 3600000000 from new_rows
            union all select 'module', module, created_at / 3600000000 from new_rows
            union all select 'action', action, created_at / 3600000000 from new_rows
            union all select 'ip', ip, created_at / 3600000000 from new_rows
        ) e
        group by dim, val, hour
    ), hours as (
        insert into operation_log_tallies (dim, val, hour, n)
        select dim, val, hour, n from k order by dim, val, hour
        on conflict (dim, val, hour) do update set n = operation_log_tallies.n + excluded.n
    )
    insert into operation_log_day_tallies (dim, val, day, n)
    select dim, val, hour / 24, sum(n) from k group by dim, val, hour / 24
    order by dim, val, hour / 24
    on conflict (dim, val, day) do update set n = operation_log_day_tallies.n + excluded.n;
    return null;
end
$$;

-- A deleted entry (the retention purge) leaves both sums in the statement that deletes it, so
-- totals stay exact at every step of a purge, not only once it has finished.
create function operation_logs_untally() returns trigger language plpgsql as $$
begin
    with k as (
        select dim, val, hour, count(*) as n from (
            select 'all'::text as dim, ''::text as val, created_at / 3600000000 as hour from old_rows
            union all select 'user', coalesce(user_id::text, ''), created_at / 3600000000 from old_rows
            union all select 'module', module, created_at / 3600000000 from old_rows
            union all select 'action', action, created_at / 3600000000 from old_rows
            union all select 'ip', ip, created_at / 3600000000 from old_rows
        ) e
        group by dim, val, hour
    ), hours as (
        update operation_log_tallies t set n = t.n - k.n
        from k where t.dim = k.dim and t.val = k.val and t.hour = k.hour
    )
    update operation_log_day_tallies t set n = t.n - d.n
    from (select dim, val, hour / 24 as day, sum(n) as n from k group by dim, val, hour / 24) d
    where t.dim = d.dim and t.val = d.val and t.day = d.day;
    return null;
end
$$;
create trigger operation_logs_untally after delete on operation_logs
    referencing old table as old_rows
    for each statement execute function operation_logs_untally();
