-- The UPDATE counter triggers of migration 62 paired each old row with the new row of the same
-- id and counted only pairs whose counted columns differed. That miscounts twice over: an
-- UPDATE that changes a row's id (and a counted column with it) pairs nothing, so the old
-- values are never taken out nor the new ones put in; and when one statement's transition
-- tables hold two versions of one row (foreign-key actions updating a row twice, see migration
-- 41), the join pairs them crosswise.
--
-- Here each UPDATE trigger takes out every old row and puts in every new one, as migration 41's
-- order counts do, without a join. The rows whose counted columns did not change would cancel
-- out in the sums; to keep an UPDATE of uncounted columns as cheap as before, they are removed
-- first with a multiset difference of the counted columns (`old EXCEPT ALL new` leaves what
-- goes out, `new EXCEPT ALL old` what comes in; a value that goes out and comes back, as a
-- middle version does, cancels). The triggers stay; only their functions change.

create or replace function stat_users_update() returns trigger
language plpgsql as $$
begin
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select 'logins'::text as m, c.b, sum(c.s)::bigint as n, 0::bigint as a
        from (
            select -1 as s, x.b from (
                select last_login_at / 900000000 as b from old_rows
                except all select last_login_at / 900000000 from new_rows
            ) x
            union all select 1, x.b from (
                select last_login_at / 900000000 as b from new_rows
                except all select last_login_at / 900000000 from old_rows
            ) x
        ) c
        group by c.b
    ) d;
    return null;
end
$$;

create or replace function farms_counters_update() returns trigger
language plpgsql as $$
begin
    perform livestock_count_apply('farms', array_agg(d), array_agg(v), array_agg(n)) from (
        select k.d, k.v, sum(f.s)::bigint as n
        from (
            select -1 as s, x.* from (
                select type, status, province, city, user_id from old_rows
                except all select type, status, province, city, user_id from new_rows
            ) x
            union all select 1, x.* from (
                select type, status, province, city, user_id from new_rows
                except all select type, status, province, city, user_id from old_rows
            ) x
        ) f, lateral farm_count_keys(f.type, f.status, f.province, f.city, f.user_id) k
        group by k.d, k.v
    ) x;
    -- A region is the province of the owner's oldest farm (smallest id): recomputed for the
    -- owners of every farm whose (id, owner, province) changed, on either side.
    perform stat_regions_recompute(array_agg(distinct u)) from (
        select user_id as u from (
            select id, user_id, province from old_rows
            except select id, user_id, province from new_rows
        ) gone
        union select user_id from (
            select id, user_id, province from new_rows
            except select id, user_id, province from old_rows
        ) came
    ) x;
    return null;
end
$$;

create or replace function animals_counters_update() returns trigger
language plpgsql as $$
begin
    perform livestock_count_apply('animals', array_agg(d), array_agg(v), array_agg(n)) from (
        select k.d, k.v, sum(a.s)::bigint as n
        from (
            select -1 as s, x.* from (
                select farm_id, category_id, breed, gender, health_status, status from old_rows
                except all
                select farm_id, category_id, breed, gender, health_status, status from new_rows
            ) x
            union all select 1, x.* from (
                select farm_id, category_id, breed, gender, health_status, status from new_rows
                except all
                select farm_id, category_id, breed, gender, health_status, status from old_rows
            ) x
        ) a, lateral animal_count_keys(a.farm_id, a.category_id, a.breed, a.gender,
            a.health_status, a.status) k
        group by k.d, k.v
    ) x;
    return null;
end
$$;

create or replace function stat_orders_update() returns trigger
language plpgsql as $$
begin
    perform stat_apply(array_agg(m), array_agg(b), array_agg(n), array_agg(a)) from (
        select k.m, c.created_at / 900000000 as b, sum(c.s)::bigint as n,
            sum(c.s * c.actual_amount)::bigint as a
        from (
            select -1 as s, x.* from (
                select created_at, actual_amount, payment_status from old_rows
                except all select created_at, actual_amount, payment_status from new_rows
            ) x
            union all select 1, x.* from (
                select created_at, actual_amount, payment_status from new_rows
                except all select created_at, actual_amount, payment_status from old_rows
            ) x
        ) c, lateral (values ('orders'::text), (case when c.payment_status = 'paid' then 'revenue' end)) as k(m)
        where k.m is not null
        group by 1, 2
    ) x;
    return null;
end
$$;
