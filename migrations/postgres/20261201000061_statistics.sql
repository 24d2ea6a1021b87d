-- Statistics counters (admin_v1 §10 数据统计): per-metric counts and sums in 15-minute UTC
-- buckets, plus all-time totals, kept by triggers in the same transaction as every write of
-- the counted tables, so the dashboard sums a few thousand small rows instead of scanning a
-- million, and the livestock code need not know about them. Every time zone's day starts on a
-- 15-minute boundary, so any `server.timezone` day is a whole number of buckets.
--
-- Metrics: `users` (by created_at), `logins` (each user once, in the bucket of their last
-- login: "active" = last login within the period), `farms`, `animals` (by created_at),
-- `orders` (count and Σ actual_amount, by created_at), `revenue` (paid orders: count and
-- Σ actual_amount, by the order's created_at).
-- `bucket` = created_at (µs) / 900,000,000. Amounts are bigint fen.

create table stat_buckets (
    metric text not null,
    bucket bigint not null,
    items bigint not null,
    amount bigint not null,
    primary key (metric, bucket)
);

create table stat_totals (
    metric text primary key,
    items bigint not null,
    amount bigint not null
);
insert into stat_totals (metric, items, amount) values
    ('users', 0, 0), ('logins', 0, 0), ('farms', 0, 0), ('animals', 0, 0),
    ('orders', 0, 0), ('revenue', 0, 0);

-- Users per role (role memberships), kept from user_roles.
create table stat_role_users (
    role_id bigint primary key,
    users bigint not null
);

-- Each user with a farm, under the province of their oldest farm (so every user counts in
-- exactly one region), and the number of such users per province.
create table stat_user_province (
    user_id bigint primary key,
    province text not null
);
create table stat_province_users (
    province text primary key,
    users bigint not null
);

-- Recent activities read the newest audits.
create index stat_trade_orders_audited_idx on trade_orders (audited_at);
create index stat_farms_audited_idx on farms (audited_at);

-- Back-fill from what is already stored.
insert into stat_buckets (metric, bucket, items, amount)
    select 'users', created_at / 900000000, count(*), 0 from users group by created_at / 900000000;
insert into stat_buckets (metric, bucket, items, amount)
    select 'logins', last_login_at / 900000000, count(*), 0 from users
    where last_login_at is not null group by last_login_at / 900000000;
insert into stat_buckets (metric, bucket, items, amount)
    select 'farms', created_at / 900000000, count(*), 0 from farms group by created_at / 900000000;
insert into stat_buckets (metric, bucket, items, amount)
    select 'animals', created_at / 900000000, count(*), 0 from animals group by created_at / 900000000;
insert into stat_buckets (metric, bucket, items, amount)
    select 'orders', created_at / 900000000, count(*), coalesce(sum(actual_amount), 0) from trade_orders
    group by created_at / 900000000;
insert into stat_buckets (metric, bucket, items, amount)
    select 'revenue', created_at / 900000000, count(*), coalesce(sum(actual_amount), 0) from trade_orders
    where payment_status = 'paid' group by created_at / 900000000;
update stat_totals set
    items = (select coalesce(sum(b.items), 0) from stat_buckets b where b.metric = stat_totals.metric),
    amount = (select coalesce(sum(b.amount), 0) from stat_buckets b where b.metric = stat_totals.metric);
insert into stat_role_users (role_id, users)
    select role_id, count(*) from user_roles group by role_id;
insert into stat_user_province (user_id, province)
    select f.user_id, f.province from farms f
    where f.id = (select min(g.id) from farms g where g.user_id = f.user_id);
insert into stat_province_users (province, users)
    select province, count(*) from stat_user_province group by province;

-- One helper adds to a bucket and to the total; the trigger functions below call it.
create function stat_bump(m text, ts bigint, n bigint, amt bigint) returns void
language plpgsql as $$
begin
    if ts is null then
        return;
    end if;
    insert into stat_buckets (metric, bucket, items, amount) values (m, ts / 900000000, n, amt)
        on conflict (metric, bucket) do update
        set items = stat_buckets.items + excluded.items, amount = stat_buckets.amount + excluded.amount;
    update stat_totals set items = items + n, amount = amount + amt where metric = m;
end
$$;

create function stat_users_change() returns trigger
language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        perform stat_bump('users', new.created_at, 1, 0);
        perform stat_bump('logins', new.last_login_at, 1, 0);
        return new;
    elsif tg_op = 'DELETE' then
        perform stat_bump('users', old.created_at, -1, 0);
        perform stat_bump('logins', old.last_login_at, -1, 0);
        delete from stat_user_province where user_id = old.id;
        return old;
    else
        if new.last_login_at is distinct from old.last_login_at then
            perform stat_bump('logins', old.last_login_at, -1, 0);
            perform stat_bump('logins', new.last_login_at, 1, 0);
        end if;
        return new;
    end if;
end
$$;
create trigger stat_users after insert or delete or update of last_login_at on users
    for each row execute function stat_users_change();

-- farms and animals: count by created_at (the metric is the trigger's argument).
create function stat_count_change() returns trigger
language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        perform stat_bump(tg_argv[0], new.created_at, 1, 0);
        return new;
    else
        perform stat_bump(tg_argv[0], old.created_at, -1, 0);
        return old;
    end if;
end
$$;
create trigger stat_farms after insert or delete on farms
    for each row execute function stat_count_change('farms');
create trigger stat_animals after insert or delete on animals
    for each row execute function stat_count_change('animals');

create function stat_orders_change() returns trigger
language plpgsql as $$
begin
    if tg_op in ('DELETE', 'UPDATE') then
        perform stat_bump('orders', old.created_at, -1, -old.actual_amount);
        if old.payment_status = 'paid' then
            perform stat_bump('revenue', old.created_at, -1, -old.actual_amount);
        end if;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform stat_bump('orders', new.created_at, 1, new.actual_amount);
        if new.payment_status = 'paid' then
            perform stat_bump('revenue', new.created_at, 1, new.actual_amount);
        end if;
        return new;
    end if;
    return old;
end
$$;
create trigger stat_orders after insert or delete or update of created_at, actual_amount, payment_status
    on trade_orders for each row execute function stat_orders_change();

create function stat_user_roles_change() returns trigger
language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into stat_role_users (role_id, users) values (new.role_id, 1)
            on conflict (role_id) do update set users = stat_role_users.users + 1;
        return new;
    else
        update stat_role_users set users = users - 1 where role_id = old.role_id;
        return old;
    end if;
end
$$;
create trigger stat_user_roles after insert or delete on user_roles
    for each row execute function stat_user_roles_change();

-- A user's region is the province of their oldest farm.
create function stat_region_recompute(uid bigint) returns void
language plpgsql as $$
begin
    delete from stat_user_province where user_id = uid;
    insert into stat_user_province (user_id, province)
        select user_id, province from farms where user_id = uid order by id limit 1;
end
$$;
create function stat_farms_region_change() returns trigger
language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into stat_user_province (user_id, province) values (new.user_id, new.province)
            on conflict (user_id) do nothing;
        return new;
    elsif tg_op = 'DELETE' then
        perform stat_region_recompute(old.user_id);
        return old;
    else
        perform stat_region_recompute(old.user_id);
        perform stat_region_recompute(new.user_id);
        return new;
    end if;
end
$$;
create trigger stat_farms_region after insert or delete or update of user_id, province on farms
    for each row execute function stat_farms_region_change();

create function stat_user_province_change() returns trigger
language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into stat_province_users (province, users) values (new.province, 1)
            on conflict (province) do update set users = stat_province_users.users + 1;
        return new;
    else
        update stat_province_users set users = users - 1 where province = old.province;
        return old;
    end if;
end
$$;
create trigger stat_user_province after insert or delete on stat_user_province
    for each row execute function stat_user_province_change();
