-- Trade-order counts per list filter value (`trade_order_counts`), so the order list with no
-- filter, or with exactly one equality filter (type, order status, payment status, buyer,
-- seller, farm), answers its `total` from one row instead of counting up to hundreds of
-- thousands of index entries. Meaning as `livestock_counts` (migration 31): `dimension` ''
-- with `value` '' counts every order; a buyer, seller or farm that is not set (or was
-- deleted: `on delete set null`) counts under the value ''.
--
-- On PostgreSQL the counts are kept by STATEMENT-level triggers that sum the statement's rows
-- from its transition tables and update each count row once, in key order (row triggers on the
-- same count rows cost O(n²) per statement there; see migration 62). This migration cannot use
-- migration 62's helpers: on a new database it runs before them.

create table trade_order_counts (
    dimension text not null,
    value text not null,
    n bigint not null,
    primary key (dimension, value)
);

insert into trade_order_counts (dimension, value, n)
    select '', '', count(*) from trade_orders;
insert into trade_order_counts (dimension, value, n)
    select 'order_type', coalesce(order_type::text, ''), count(*) from trade_orders group by coalesce(order_type::text, '');
insert into trade_order_counts (dimension, value, n)
    select 'order_status', coalesce(order_status::text, ''), count(*) from trade_orders group by coalesce(order_status::text, '');
insert into trade_order_counts (dimension, value, n)
    select 'payment_status', coalesce(payment_status::text, ''), count(*) from trade_orders group by coalesce(payment_status::text, '');
insert into trade_order_counts (dimension, value, n)
    select 'buyer_id', coalesce(buyer_id::text, ''), count(*) from trade_orders group by coalesce(buyer_id::text, '');
insert into trade_order_counts (dimension, value, n)
    select 'seller_id', coalesce(seller_id::text, ''), count(*) from trade_orders group by coalesce(seller_id::text, '');
insert into trade_order_counts (dimension, value, n)
    select 'farm_id', coalesce(farm_id::text, ''), count(*) from trade_orders group by coalesce(farm_id::text, '');

-- The count keys of one order (its filter values as text, '' when not set).
create function trade_order_count_keys(p_order_type text, p_order_status text, p_payment_status text, p_buyer_id text, p_seller_id text, p_farm_id text)
returns table (d text, v text)
language sql immutable as $$
    values ('', ''), ('order_type', p_order_type), ('order_status', p_order_status), ('payment_status', p_payment_status), ('buyer_id', p_buyer_id), ('seller_id', p_seller_id), ('farm_id', p_farm_id)
$$;

-- Adds the per-key sums of (sign, order) rows to the counts, each count row once.
create function trade_order_counts_apply(ds text[], vs text[], ns bigint[]) returns void
language sql as $$
    insert into trade_order_counts (dimension, value, n)
        select d, v, sum(n)::bigint
        from unnest(ds, vs, ns) as u(d, v, n)
        group by d, v
        having sum(n) <> 0
        order by d, v
        on conflict (dimension, value) do update set n = trade_order_counts.n + excluded.n;
$$;

create function trade_orders_counts_insert() returns trigger
language plpgsql as $$
begin
    perform trade_order_counts_apply(array_agg(d), array_agg(v), array_agg(n)) from (
        select k.d, k.v, count(*) as n
        from new_rows o, lateral trade_order_count_keys(coalesce(o.order_type::text, ''), coalesce(o.order_status::text, ''), coalesce(o.payment_status::text, ''), coalesce(o.buyer_id::text, ''), coalesce(o.seller_id::text, ''), coalesce(o.farm_id::text, '')) k
        group by k.d, k.v
    ) x;
    return null;
end
$$;
create trigger trade_orders_counts_insert after insert on trade_orders
    referencing new table as new_rows
    for each statement execute function trade_orders_counts_insert();

create function trade_orders_counts_delete() returns trigger
language plpgsql as $$
begin
    perform trade_order_counts_apply(array_agg(d), array_agg(v), array_agg(n)) from (
        select k.d, k.v, -count(*) as n
        from old_rows o, lateral trade_order_count_keys(coalesce(o.order_type::text, ''), coalesce(o.order_status::text, ''), coalesce(o.payment_status::text, ''), coalesce(o.buyer_id::text, ''), coalesce(o.seller_id::text, ''), coalesce(o.farm_id::text, '')) k
        group by k.d, k.v
    ) x;
    return null;
end
$$;
create trigger trade_orders_counts_delete after delete on trade_orders
    referencing old table as old_rows
    for each statement execute function trade_orders_counts_delete();

-- Out with every old row version, in with every new one: unchanged rows cancel out. Not a join
-- of old and new rows by id: when foreign-key actions update one order twice in a statement
-- (its buyer and its seller deleted together, each `on delete set null`), both actions' rows
-- land in one pair of transition tables, the old holding the order's first and middle
-- versions and the new its middle and last, so a join by id would pair them wrongly; the sums
-- leave exactly first-out, last-in.
create function trade_orders_counts_update() returns trigger
language plpgsql as $$
begin
    perform trade_order_counts_apply(array_agg(d), array_agg(v), array_agg(n)) from (
        select k.d, k.v, sum(c.s)::bigint as n
        from (
            select -1 as s, order_type, order_status, payment_status, buyer_id, seller_id, farm_id from old_rows
            union all select 1, order_type, order_status, payment_status, buyer_id, seller_id, farm_id from new_rows
        ) c, lateral trade_order_count_keys(coalesce(c.order_type::text, ''), coalesce(c.order_status::text, ''), coalesce(c.payment_status::text, ''), coalesce(c.buyer_id::text, ''), coalesce(c.seller_id::text, ''), coalesce(c.farm_id::text, '')) k
        group by k.d, k.v
    ) x;
    return null;
end
$$;
create trigger trade_orders_counts_update after update on trade_orders
    referencing old table as old_rows new table as new_rows
    for each statement execute function trade_orders_counts_update();
