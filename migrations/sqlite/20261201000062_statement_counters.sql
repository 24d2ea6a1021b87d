-- The counter triggers of migrations 31 and 61 stay row triggers on SQLite (the PostgreSQL
-- migration of this version replaces them with statement-level ones).
--
-- PostgreSQL needed it because an UPDATE there writes a new version of the row and keeps
-- every version made in the transaction, so n row-trigger updates of one totals row within
-- one statement cost O(n²). SQLite has no such version chains: it updates the row in place in
-- the page cache, so each row trigger's update costs the same whatever came before it, and a
-- statement of n rows costs O(n). SQLite has no statement-level triggers or transition tables
-- either.
--
-- Both engines: hourly sums of the 15-minute buckets (`hour` = bucket / 4), kept with them, so
-- a period whose days start on whole hours (every zone without a 30- or 45-minute offset)
-- reads 24 rows a day per metric instead of 96. Here triggers on `stat_buckets` keep them.

create table stat_hours (
    metric text not null,
    hour integer not null,
    items integer not null,
    amount integer not null,
    primary key (metric, hour)
) without rowid;
insert into stat_hours (metric, hour, items, amount)
    select metric, bucket / 4, sum(items), sum(amount) from stat_buckets group by metric, bucket / 4;

create trigger stat_hours_insert after insert on stat_buckets
begin
    insert into stat_hours (metric, hour, items, amount)
        values (new.metric, new.bucket / 4, new.items, new.amount)
        on conflict (metric, hour) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
end;

create trigger stat_hours_update after update on stat_buckets
begin
    insert into stat_hours (metric, hour, items, amount)
        values (new.metric, new.bucket / 4, new.items - old.items, new.amount - old.amount)
        on conflict (metric, hour) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
end;

create trigger stat_hours_delete after delete on stat_buckets
begin
    update stat_hours set items = items - old.items, amount = amount - old.amount
        where metric = old.metric and hour = old.bucket / 4;
end;
