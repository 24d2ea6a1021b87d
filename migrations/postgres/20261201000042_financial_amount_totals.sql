-- Σ amount and count of the financial records per amount bucket and type, at 13 decimal
-- levels (level k: bucket = amount / 10^k, k = 0..12), so the record list filtered by
-- `min_amount` / `max_amount` (alone, or with `record_type`) answers its `total` and `summary`
-- from at most 2 × 9 bucket rows per level instead of summing every matching record: any range
-- of amounts is a union of whole buckets, at most nine at each level on each side. Amounts are
-- never negative and at most 9,999,999,999,999 fen, so level 12 has at most ten buckets.
-- Kept by triggers in the same transaction as every record write.
--
-- On PostgreSQL by STATEMENT-level triggers that sum the statement's rows per bucket row from
-- the transition tables and update each bucket row once, in key order (row triggers on the
-- same bucket rows cost O(n²) per statement there; see migration 62).

create table financial_amount_levels (
    level integer primary key,
    unit bigint not null
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
    bucket bigint not null,
    record_type text not null,
    amount bigint not null,
    records bigint not null,
    primary key (level, bucket, record_type)
);
insert into financial_amount_totals (level, bucket, record_type, amount, records)
    select l.level, r.amount / l.unit, r.record_type, sum(r.amount), count(*)
    from financial_records r cross join financial_amount_levels l
    group by l.level, r.amount / l.unit, r.record_type;

-- Adds signed (amount, record_type) rows to the bucket rows, each bucket row once.
create function financial_amount_apply(ss bigint[], amts bigint[], ts text[]) returns void
language sql as $$
    insert into financial_amount_totals (level, bucket, record_type, amount, records)
        select l.level, u.a / l.unit, u.t, sum(u.s * u.a)::bigint, sum(u.s)::bigint
        from unnest(ss, amts, ts) as u(s, a, t) cross join financial_amount_levels l
        group by l.level, u.a / l.unit, u.t
        having sum(u.s) <> 0 or sum(u.s * u.a) <> 0
        order by 1, 2, 3
        on conflict (level, bucket, record_type) do update
        set amount = financial_amount_totals.amount + excluded.amount,
            records = financial_amount_totals.records + excluded.records;
$$;

create function financial_amount_insert() returns trigger
language plpgsql as $$
begin
    perform financial_amount_apply(array_agg(1::bigint), array_agg(amount), array_agg(record_type))
        from new_rows;
    return null;
end
$$;
create trigger financial_amount_insert after insert on financial_records
    referencing new table as new_rows
    for each statement execute function financial_amount_insert();

create function financial_amount_delete() returns trigger
language plpgsql as $$
begin
    perform financial_amount_apply(array_agg(-1::bigint), array_agg(amount), array_agg(record_type))
        from old_rows;
    return null;
end
$$;
create trigger financial_amount_delete after delete on financial_records
    referencing old table as old_rows
    for each statement execute function financial_amount_delete();

-- Out with every old row version, in with every new one (unchanged rows cancel out; see
-- migration 41 for why this is not a join of old and new rows by id).
create function financial_amount_update() returns trigger
language plpgsql as $$
begin
    perform financial_amount_apply(array_agg(c.s), array_agg(c.amount), array_agg(c.record_type)) from (
        select -1::bigint as s, amount, record_type from old_rows
        union all select 1, amount, record_type from new_rows
    ) c;
    return null;
end
$$;
create trigger financial_amount_update after update on financial_records
    referencing old table as old_rows new table as new_rows
    for each statement execute function financial_amount_update();

-- A page of records in a range of amounts (few matches) is chosen from this index alone: the
-- range, the type and the date order are all in it. It replaces the `(amount, id)` index.
create index financial_records_amount_page_idx on financial_records (amount, record_type, record_date, id);
drop index financial_records_amount_idx;
