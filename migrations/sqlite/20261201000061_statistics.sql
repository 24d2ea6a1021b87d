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
-- `bucket` = created_at (µs) / 900,000,000. Amounts are integer fen.

create table stat_buckets (
    metric text not null,
    bucket integer not null,
    items integer not null,
    amount integer not null,
    primary key (metric, bucket)
-- Clustered by (metric, bucket): a period's sums read consecutive rows.
) without rowid;

create table stat_totals (
    metric text primary key,
    items integer not null,
    amount integer not null
);
insert into stat_totals (metric, items, amount) values
    ('users', 0, 0), ('logins', 0, 0), ('farms', 0, 0), ('animals', 0, 0),
    ('orders', 0, 0), ('revenue', 0, 0);

-- Users per role (role memberships), kept from user_roles.
create table stat_role_users (
    role_id integer primary key,
    users integer not null
);

-- Each user with a farm, under the province of their oldest farm (so every user counts in
-- exactly one region), and the number of such users per province.
create table stat_user_province (
    user_id integer primary key,
    province text not null
);
create table stat_province_users (
    province text primary key,
    users integer not null
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

create trigger stat_users_insert after insert on users
begin
    insert into stat_buckets (metric, bucket, items, amount)
        values ('users', new.created_at / 900000000, 1, 0)
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (1), amount = amount + (0)
        where metric = 'users';
    insert into stat_buckets (metric, bucket, items, amount)
        select 'logins', new.last_login_at / 900000000, 1, 0 where new.last_login_at is not null
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (1), amount = amount + (0)
        where metric = 'logins' and new.last_login_at is not null;
end;

create trigger stat_users_delete after delete on users
begin
    insert into stat_buckets (metric, bucket, items, amount)
        values ('users', old.created_at / 900000000, -1, 0)
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (-1), amount = amount + (0)
        where metric = 'users';
    insert into stat_buckets (metric, bucket, items, amount)
        select 'logins', old.last_login_at / 900000000, -1, 0 where old.last_login_at is not null
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (-1), amount = amount + (0)
        where metric = 'logins' and old.last_login_at is not null;
    delete from stat_user_province where user_id = old.id;
end;

create trigger stat_users_login after update of last_login_at on users
begin
    insert into stat_buckets (metric, bucket, items, amount)
        select 'logins', old.last_login_at / 900000000, -1, 0 where old.last_login_at is not null
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (-1), amount = amount + (0)
        where metric = 'logins' and old.last_login_at is not null;
    insert into stat_buckets (metric, bucket, items, amount)
        select 'logins', new.last_login_at / 900000000, 1, 0 where new.last_login_at is not null
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (1), amount = amount + (0)
        where metric = 'logins' and new.last_login_at is not null;
end;

create trigger stat_farms_insert after insert on farms
begin
    insert into stat_buckets (metric, bucket, items, amount)
        values ('farms', new.created_at / 900000000, 1, 0)
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (1), amount = amount + (0)
        where metric = 'farms';
end;

create trigger stat_farms_delete after delete on farms
begin
    insert into stat_buckets (metric, bucket, items, amount)
        values ('farms', old.created_at / 900000000, -1, 0)
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (-1), amount = amount + (0)
        where metric = 'farms';
end;

create trigger stat_animals_insert after insert on animals
begin
    insert into stat_buckets (metric, bucket, items, amount)
        values ('animals', new.created_at / 900000000, 1, 0)
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (1), amount = amount + (0)
        where metric = 'animals';
end;

create trigger stat_animals_delete after delete on animals
begin
    insert into stat_buckets (metric, bucket, items, amount)
        values ('animals', old.created_at / 900000000, -1, 0)
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (-1), amount = amount + (0)
        where metric = 'animals';
end;

create trigger stat_orders_insert after insert on trade_orders
begin
    insert into stat_buckets (metric, bucket, items, amount)
        values ('orders', new.created_at / 900000000, 1, new.actual_amount)
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (1), amount = amount + (new.actual_amount)
        where metric = 'orders';
    insert into stat_buckets (metric, bucket, items, amount)
        select 'revenue', new.created_at / 900000000, 1, new.actual_amount where new.payment_status = 'paid'
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (1), amount = amount + (new.actual_amount)
        where metric = 'revenue' and new.payment_status = 'paid';
end;

create trigger stat_orders_delete after delete on trade_orders
begin
    insert into stat_buckets (metric, bucket, items, amount)
        values ('orders', old.created_at / 900000000, -1, -old.actual_amount)
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (-1), amount = amount + (-old.actual_amount)
        where metric = 'orders';
    insert into stat_buckets (metric, bucket, items, amount)
        select 'revenue', old.created_at / 900000000, -1, -old.actual_amount where old.payment_status = 'paid'
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (-1), amount = amount + (-old.actual_amount)
        where metric = 'revenue' and old.payment_status = 'paid';
end;

create trigger stat_orders_update after update of created_at, actual_amount, payment_status on trade_orders
begin
    insert into stat_buckets (metric, bucket, items, amount)
        values ('orders', old.created_at / 900000000, -1, -old.actual_amount)
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (-1), amount = amount + (-old.actual_amount)
        where metric = 'orders';
    insert into stat_buckets (metric, bucket, items, amount)
        values ('orders', new.created_at / 900000000, 1, new.actual_amount)
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (1), amount = amount + (new.actual_amount)
        where metric = 'orders';
    insert into stat_buckets (metric, bucket, items, amount)
        select 'revenue', old.created_at / 900000000, -1, -old.actual_amount where old.payment_status = 'paid'
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (-1), amount = amount + (-old.actual_amount)
        where metric = 'revenue' and old.payment_status = 'paid';
    insert into stat_buckets (metric, bucket, items, amount)
        select 'revenue', new.created_at / 900000000, 1, new.actual_amount where new.payment_status = 'paid'
        on conflict (metric, bucket) do update
        set items = items + excluded.items, amount = amount + excluded.amount;
    update stat_totals set items = items + (1), amount = amount + (new.actual_amount)
        where metric = 'revenue' and new.payment_status = 'paid';
end;

create trigger stat_user_roles_insert after insert on user_roles
begin
    insert into stat_role_users (role_id, users) values (new.role_id, 1)
        on conflict (role_id) do update set users = users + 1;
end;

create trigger stat_user_roles_delete after delete on user_roles
begin
    update stat_role_users set users = users - 1 where role_id = old.role_id;
end;

create trigger stat_farms_region_insert after insert on farms
begin
    insert into stat_user_province (user_id, province) values (new.user_id, new.province)
        on conflict (user_id) do nothing;
end;

create trigger stat_farms_region_delete after delete on farms
begin
    delete from stat_user_province where user_id = old.user_id;
    insert into stat_user_province (user_id, province)
        select user_id, province from farms where user_id = old.user_id order by id limit 1;
end;

create trigger stat_farms_region_update after update of user_id, province on farms
begin
    delete from stat_user_province where user_id = old.user_id;
    insert into stat_user_province (user_id, province)
        select user_id, province from farms where user_id = old.user_id order by id limit 1;
    delete from stat_user_province where user_id = new.user_id;
    insert into stat_user_province (user_id, province)
        select user_id, province from farms where user_id = new.user_id order by id limit 1;
end;

create trigger stat_user_province_insert after insert on stat_user_province
begin
    insert into stat_province_users (province, users) values (new.province, 1)
        on conflict (province) do update set users = users + 1;
end;

create trigger stat_user_province_delete after delete on stat_user_province
begin
    update stat_province_users set users = users - 1 where province = old.province;
end;
