-- Counters kept by STATEMENT-level triggers (PostgreSQL only; see the SQLite file of the same
-- version for why SQLite keeps its row triggers).
--
-- Migrations 31 (`livestock_counts`) and 61 (the statistics counters) kept their counters with
-- ROW-level triggers: every inserted, updated or deleted row updated the same totals and bucket
-- rows once. Within one statement PostgreSQL keeps every version of an updated row until the
-- transaction ends, and each later update walks the chain of versions made before it, so one
-- statement of n rows cost O(n²): 10,000 users in one INSERT took 5.7 s, 20,000 took 23 s,
-- 40,000 took 112 s. Here every counted table has one trigger per event (PostgreSQL 15 allows
-- transition tables only on single-event triggers without a column list) that reads the
-- statement's rows from its transition tables, sums them per counter row, and updates each
-- counter row once, in key order (so concurrent writers lock counter rows in the same order).
-- UPDATE triggers join the old and new rows by id and count only rows whose counted columns
-- changed. The counters mean exactly what migrations 31 and 61 say they mean.
--
-- One mechanism: each table's triggers keep every counter derived from it, the list counts
-- (`livestock_counts`) and the statistics (`stat_*`) alike, in one pass over its rows.

drop trigger animals_count_insert_delete on animals;
drop trigger animals_count_update on animals;
drop function animals_count();
drop trigger farms_count_insert_delete on farms;
drop trigger farms_count_update on farms;
drop function farms_count();
drop trigger stat_users on users;
drop function stat_users_change();
drop trigger stat_farms on farms;
drop trigger stat_animals on animals;
drop function stat_count_change();
drop trigger stat_orders on trade_orders;
drop function stat_orders_change();
drop trigger stat_user_roles on user_roles;
drop function stat_user_roles_change();
drop trigger stat_farms_region on farms;
drop function stat_farms_region_change();
drop function stat_region_recompute(bigint);
drop trigger stat_user_province on stat_user_province;
drop function stat_user_province_change();
drop function stat_bump(text, bigint, bigint, bigint);

-- Hourly sums of the 15-minute buckets (`hour` = bucket / 4), kept with them: a period whose
-- days start on whole hours (every zone without a 30- or 45-minute offset) reads 24 rows a day
-- per metric instead of 96.
create table stat_hours (
    metric text not null,
    hour bigint not null,
    items bigint not null,
    amount bigint not null,
    primary key (metric, hour)
);
insert into stat_hours (metric, hour, items, amount)
    select metric, bucket / 4, sum(items), sum(amount) from stat_buckets group by metric, bucket / 4;

-- Every trigger below sums its statement's rows per counter row first (a GROUP BY over the
-- transition table) and hands these few sums to one of the two helpers.

-- Adds per-(metric, bucket) deltas to `stat_buckets` (and `stat_hours`) and their per-metric
-- sums to `stat_totals`, each counter row once, in key order. A null bucket (no last login) counts
-- nowhere.
create function stat_apply(ms text[], bs bigint[], ns bigint[], amts bigint[]) returns void
language plpgsql as $$
declare
    r record;
begin
    insert into stat_buckets (metric, bucket, items, amount)
        select m, b, sum(n)::bigint, sum(a)::bigint
        from unnest(ms, bs, ns, amts) as u(m, b, n, a)
        where b is not null
        group by m, b
        having sum(n) <> 0 or sum(a) <> 0
        order by m, b
        on conflict (metric, bucket) do update
        set items = stat_buckets.items + excluded.items, amount = stat_buckets.amount + excluded.amount;
    insert into stat_hours (metric, hour, items, amount)
        select m, b / 4, sum(n)::bigint, sum(a)::bigint
        from unnest(ms, bs, ns, amts) as u(m, b, n, a)
        where b is not null
        group by m, b / 4
        having sum(n) <> 0 or sum(a) <> 0
        order by m, b / 4
        on conflict (metric, hour) do update
        set items = stat_hours.items + excluded.items, amount = stat_hours.amount + excluded.amount;
    for r in
        select m, sum(n)::bigint as n, sum(a)::bigint as a
        from unnest(ms, bs, ns, amts) as u(m, b, n, a)
        where b is not null
        group by m
        having sum(n) <> 0 or sum(a) <> 0
        order by m
    loop
        update stat_totals set items = items + r.n, amount = amount + r.a where metric = r.m;
    end loop;
end
$$;

-- Adds per-(dimension, value) deltas to the list counts of `p_subject`, each row once.
create function livestock_count_apply(p_subject text, ds text[], vs text[], ns bigint[]) returns void
language sql as $$
    insert into livestock_counts (subject, dimension, value, n)
        select p_subject, d, v, sum(n)::bigint
        from unnest(ds, vs, ns) as u(d, v, n)
        group by d, v
        having sum(n) <> 0
        order by d, v
        on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
$$;

-- users: `users` by created_at, `logins` by last_login_at.

create function stat_users_insert() returns trigger
language plpgsql as $$
begin
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select 'users'::text as m, created_at / 900000000 as b, count(*) as n, 0::bigint as a
            from new_rows group by 2
        union all select 'logins', last_login_at / 900000000, count(*), 0
            from new_rows where last_login_at is not null group by 2
    ) d;
    return null;
end
$$;
create trigger stat_users_insert after insert on users
    referencing new table as new_rows
    for each statement execute function stat_users_insert();

create function stat_users_delete() returns trigger
language plpgsql as $$
begin
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select 'users'::text as m, created_at / 900000000 as b, -count(*) as n, 0::bigint as a
            from old_rows group by 2
        union all select 'logins', last_login_at / 900000000, -count(*), 0
            from old_rows where last_login_at is not null group by 2
    ) d;
    delete from stat_user_province where user_id in (select id from old_rows);
    return null;
end
$$;
create trigger stat_users_delete after delete on users
    referencing old table as old_rows
    for each statement execute function stat_users_delete();

create function stat_users_update() returns trigger
language plpgsql as $$
begin
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select 'logins'::text as m, k.b, sum(k.n)::bigint as n, 0::bigint as a
        from old_rows o join new_rows w on w.id = o.id,
            lateral (values (o.last_login_at / 900000000, -1), (w.last_login_at / 900000000, 1)) as k(b, n)
        where w.last_login_at is distinct from o.last_login_at
        group by k.b
    ) d;
    return null;
end
$$;
create trigger stat_users_update after update on users
    referencing old table as old_rows new table as new_rows
    for each statement execute function stat_users_update();

-- user_roles: users per role.

create function stat_user_roles_insert() returns trigger
language plpgsql as $$
begin
    insert into stat_role_users (role_id, users)
        select role_id, count(*) from new_rows group by role_id order by role_id
        on conflict (role_id) do update set users = stat_role_users.users + excluded.users;
    return null;
end
$$;
create trigger stat_user_roles_insert after insert on user_roles
    referencing new table as new_rows
    for each statement execute function stat_user_roles_insert();

create function stat_user_roles_delete() returns trigger
language plpgsql as $$
declare
    r record;
begin
    for r in select role_id, count(*) as n from old_rows group by role_id order by role_id loop
        update stat_role_users set users = users - r.n where role_id = r.role_id;
    end loop;
    return null;
end
$$;
create trigger stat_user_roles_delete after delete on user_roles
    referencing old table as old_rows
    for each statement execute function stat_user_roles_delete();

-- stat_user_province (written by the farm triggers): users per province.

create function stat_user_province_insert() returns trigger
language plpgsql as $$
begin
    insert into stat_province_users (province, users)
        select province, count(*) from new_rows group by province order by province
        on conflict (province) do update set users = stat_province_users.users + excluded.users;
    return null;
end
$$;
create trigger stat_user_province_insert after insert on stat_user_province
    referencing new table as new_rows
    for each statement execute function stat_user_province_insert();

create function stat_user_province_delete() returns trigger
language plpgsql as $$
declare
    r record;
begin
    for r in select province, count(*) as n from old_rows group by province order by province loop
        update stat_province_users set users = users - r.n where province = r.province;
    end loop;
    return null;
end
$$;
create trigger stat_user_province_delete after delete on stat_user_province
    referencing old table as old_rows
    for each statement execute function stat_user_province_delete();

-- A user's region is the province of their oldest farm: recomputed for the given owners.
create function stat_regions_recompute(uids bigint[]) returns void
language sql as $$
    delete from stat_user_province where user_id = any(uids);
    insert into stat_user_province (user_id, province)
        select distinct on (user_id) user_id, province from farms
        where user_id = any(uids)
        order by user_id, id;
$$;

-- farms: the list counts (every row, type, status, province, city, owner), the `farms`
-- statistic by created_at, and the owners' regions.

-- The list-count keys of one farm.
create function farm_count_keys(p_type text, p_status bigint, p_province text, p_city text, p_user_id bigint)
returns table (d text, v text)
language sql immutable as $$
    values ('', ''), ('type', p_type), ('status', p_status::text), ('province', p_province),
        ('city', p_city), ('user_id', p_user_id::text)
$$;

create function farms_counters_insert() returns trigger
language plpgsql as $$
begin
    perform livestock_count_apply('farms', array_agg(d), array_agg(v), array_agg(n)) from (
        select k.d, k.v, count(*) as n
        from new_rows f, lateral farm_count_keys(f.type, f.status, f.province, f.city, f.user_id) k
        group by k.d, k.v
    ) x;
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select 'farms'::text as m, created_at / 900000000 as b, count(*) as n, 0::bigint as a
        from new_rows group by 2
    ) x;
    -- The owner's oldest farm: an owner who already has a region keeps it (older farms have
    -- smaller ids).
    insert into stat_user_province (user_id, province)
        select distinct on (user_id) user_id, province from new_rows order by user_id, id
        on conflict (user_id) do nothing;
    return null;
end
$$;
create trigger farms_counters_insert after insert on farms
    referencing new table as new_rows
    for each statement execute function farms_counters_insert();

create function farms_counters_delete() returns trigger
language plpgsql as $$
begin
    perform livestock_count_apply('farms', array_agg(d), array_agg(v), array_agg(n)) from (
        select k.d, k.v, -count(*) as n
        from old_rows f, lateral farm_count_keys(f.type, f.status, f.province, f.city, f.user_id) k
        group by k.d, k.v
    ) x;
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select 'farms'::text as m, created_at / 900000000 as b, -count(*) as n, 0::bigint as a
        from old_rows group by 2
    ) x;
    perform stat_regions_recompute(array_agg(distinct user_id)) from old_rows;
    return null;
end
$$;
create trigger farms_counters_delete after delete on farms
    referencing old table as old_rows
    for each statement execute function farms_counters_delete();

create function farms_counters_update() returns trigger
language plpgsql as $$
begin
    -- Rows whose counted columns changed: out with the old values, in with the new.
    perform livestock_count_apply('farms', array_agg(d), array_agg(v), array_agg(n)) from (
        select k.d, k.v, sum(s)::bigint as n
        from (
            select -1 as s, o.type, o.status, o.province, o.city, o.user_id
                from old_rows o join new_rows w on w.id = o.id
                where (o.type, o.status, o.province, o.city, o.user_id)
                    is distinct from (w.type, w.status, w.province, w.city, w.user_id)
            union all select 1, w.type, w.status, w.province, w.city, w.user_id
                from old_rows o join new_rows w on w.id = o.id
                where (o.type, o.status, o.province, o.city, o.user_id)
                    is distinct from (w.type, w.status, w.province, w.city, w.user_id)
        ) f, lateral farm_count_keys(f.type, f.status, f.province, f.city, f.user_id) k
        group by k.d, k.v
    ) x;
    perform stat_regions_recompute(array_agg(distinct u)) from (
        select k.u from old_rows o join new_rows w on w.id = o.id,
            lateral (values (o.user_id), (w.user_id)) as k(u)
        where (o.user_id, o.province) is distinct from (w.user_id, w.province)
    ) x;
    return null;
end
$$;
create trigger farms_counters_update after update on farms
    referencing old table as old_rows new table as new_rows
    for each statement execute function farms_counters_update();

-- animals: the list counts (every row, farm, category, breed, gender, health, status) and the
-- `animals` statistic by created_at.

create function animal_count_keys(p_farm_id bigint, p_category_id bigint, p_breed text,
    p_gender bigint, p_health_status text, p_status bigint)
returns table (d text, v text)
language sql immutable as $$
    values ('', ''), ('farm_id', p_farm_id::text), ('category_id', p_category_id::text),
        ('breed', p_breed), ('gender', p_gender::text), ('health_status', p_health_status),
        ('status', p_status::text)
$$;

create function animals_counters_insert() returns trigger
language plpgsql as $$
begin
    perform livestock_count_apply('animals', array_agg(d), array_agg(v), array_agg(n)) from (
        select k.d, k.v, count(*) as n
        from new_rows a, lateral animal_count_keys(a.farm_id, a.category_id, a.breed, a.gender,
            a.health_status, a.status) k
        group by k.d, k.v
    ) x;
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select 'animals'::text as m, created_at / 900000000 as b, count(*) as n, 0::bigint as a
        from new_rows group by 2
    ) x;
    return null;
end
$$;
create trigger animals_counters_insert after insert on animals
    referencing new table as new_rows
    for each statement execute function animals_counters_insert();

create function animals_counters_delete() returns trigger
language plpgsql as $$
begin
    perform livestock_count_apply('animals', array_agg(d), array_agg(v), array_agg(n)) from (
        select k.d, k.v, -count(*) as n
        from old_rows a, lateral animal_count_keys(a.farm_id, a.category_id, a.breed, a.gender,
            a.health_status, a.status) k
        group by k.d, k.v
    ) x;
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select 'animals'::text as m, created_at / 900000000 as b, -count(*) as n, 0::bigint as a
        from old_rows group by 2
    ) x;
    return null;
end
$$;
create trigger animals_counters_delete after delete on animals
    referencing old table as old_rows
    for each statement execute function animals_counters_delete();

create function animals_counters_update() returns trigger
language plpgsql as $$
begin
    perform livestock_count_apply('animals', array_agg(d), array_agg(v), array_agg(n)) from (
        select k.d, k.v, sum(s)::bigint as n
        from (
            select -1 as s, o.farm_id, o.category_id, o.breed, o.gender, o.health_status, o.status
                from old_rows o join new_rows w on w.id = o.id
                where (o.farm_id, o.category_id, o.breed, o.gender, o.health_status, o.status)
                    is distinct from (w.farm_id, w.category_id, w.breed, w.gender, w.health_status, w.status)
            union all select 1, w.farm_id, w.category_id, w.breed, w.gender, w.health_status, w.status
                from old_rows o join new_rows w on w.id = o.id
                where (o.farm_id, o.category_id, o.breed, o.gender, o.health_status, o.status)
                    is distinct from (w.farm_id, w.category_id, w.breed, w.gender, w.health_status, w.status)
        ) a, lateral animal_count_keys(a.farm_id, a.category_id, a.breed, a.gender,
            a.health_status, a.status) k
        group by k.d, k.v
    ) x;
    return null;
end
$$;
create trigger animals_counters_update after update on animals
    referencing old table as old_rows new table as new_rows
    for each statement execute function animals_counters_update();

-- trade_orders: `orders` (count, Σ actual_amount) and `revenue` (paid orders) by created_at.

create function stat_orders_insert() returns trigger
language plpgsql as $$
begin
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select k.m, created_at / 900000000 as b, count(*) as n, sum(actual_amount)::bigint as a
        from new_rows o, lateral (values ('orders'::text), (case when o.payment_status = 'paid' then 'revenue' end)) as k(m)
        where k.m is not null
        group by 1, 2
    ) x;
    return null;
end
$$;
create trigger stat_orders_insert after insert on trade_orders
    referencing new table as new_rows
    for each statement execute function stat_orders_insert();

create function stat_orders_delete() returns trigger
language plpgsql as $$
begin
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select k.m, created_at / 900000000 as b, -count(*) as n, -sum(actual_amount)::bigint as a
        from old_rows o, lateral (values ('orders'::text), (case when o.payment_status = 'paid' then 'revenue' end)) as k(m)
        where k.m is not null
        group by 1, 2
    ) x;
    return null;
end
$$;
create trigger stat_orders_delete after delete on trade_orders
    referencing old table as old_rows
    for each statement execute function stat_orders_delete();

create function stat_orders_update() returns trigger
language plpgsql as $$
begin
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select k.m, c.created_at / 900000000 as b, sum(c.s)::bigint as n,
            sum(c.s * c.actual_amount)::bigint as a
        from (
            select -1 as s, o.created_at, o.actual_amount, o.payment_status
                from old_rows o join new_rows w on w.id = o.id
                where (o.created_at, o.actual_amount, o.payment_status)
                    is distinct from (w.created_at, w.actual_amount, w.payment_status)
            union all select 1, w.created_at, w.actual_amount, w.payment_status
                from old_rows o join new_rows w on w.id = o.id
                where (o.created_at, o.actual_amount, o.payment_status)
                    is distinct from (w.created_at, w.actual_amount, w.payment_status)
        ) c, lateral (values ('orders'::text), (case when c.payment_status = 'paid' then 'revenue' end)) as k(m)
        where k.m is not null
        group by 1, 2
    ) x;
    return null;
end
$$;
create trigger stat_orders_update after update on trade_orders
    referencing old table as old_rows new table as new_rows
    for each statement execute function stat_orders_update();
