-- Σ amount and count of the financial records per amount bucket and type, at 13 decimal
-- levels (level k: bucket = amount / 10^k, k = 0..12), so the record list filtered by
-- `min_amount` / `max_amount` (alone, or with `record_type`) answers its `total` and `summary`
-- from at most 2 × 9 bucket rows per level instead of summing every matching record: any range
-- of amounts is a union of whole buckets, at most nine at each level on each side. Amounts are
-- never negative and at most 9,999,999,999,999 fen, so level 12 has at most ten buckets.
-- Kept by triggers in the same transaction as every record write.

create table financial_amount_levels (
    level integer primary key,
    unit integer not null
);
insert into financial_amount_levels (level, unit) values
    (0, 1),
    (1, 10),
    (2, 100),
    (3, 1000),
    (4, 10000),
    (5, 100000),
    (6, 1000000),
    (7, 10000000),
    (8, 100000000),
    (9, 1000000000),
    (10, 10000000000),
    (11, 100000000000),
    (12, 1000000000000);

create table financial_amount_totals (
    level integer not null,
    bucket integer not null,
    record_type text not null,
    amount integer not null,
    records integer not null,
    primary key (level, bucket, record_type)
) without rowid;
insert into financial_amount_totals (level, bucket, record_type, amount, records)
    select l.level, r.amount / l.unit, r.record_type, sum(r.amount), count(*)
    from financial_records r cross join financial_amount_levels l
    group by l.level, r.amount / l.unit, r.record_type;

create trigger financial_amount_insert after insert on financial_records
begin
    insert into financial_amount_totals (level, bucket, record_type, amount, records)
        select level, new.amount / unit, new.record_type, new.amount, 1 from financial_amount_levels where true
        on conflict (level, bucket, record_type) do update
        set amount = amount + excluded.amount, records = records + excluded.records;
end;

create trigger financial_amount_delete after delete on financial_records
begin
    update financial_amount_totals set amount = amount - old.amount, records = records - 1
        where record_type = old.record_type
        and (level, bucket) in (select level, old.amount / unit from financial_amount_levels);
end;

create trigger financial_amount_update after update on financial_records
when old.amount is not new.amount or old.record_type is not new.record_type
begin
    update financial_amount_totals set amount = amount - old.amount, records = records - 1
        where record_type = old.record_type
        and (level, bucket) in (select level, old.amount / unit from financial_amount_levels);
    insert into financial_amount_totals (level, bucket, record_type, amount, records)
        select level, new.amount / unit, new.record_type, new.amount, 1 from financial_amount_levels where true
        on conflict (level, bucket, record_type) do update
        set amount = amount + excluded.amount, records = records + excluded.records;
end;

-- A page of records in a range of amounts (few matches) is chosen from this index alone: the
-- range, the type and the date order are all in it. It replaces the `(amount, id)` index.
create index financial_records_amount_page_idx on financial_records (amount, record_type, record_date, id);
drop index financial_records_amount_idx;
