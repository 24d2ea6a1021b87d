-- Trade-order counts per list filter value (`trade_order_counts`), so the order list with no
-- filter, or with exactly one equality filter (type, order status, payment status, buyer,
-- seller, farm), answers its `total` from one row instead of counting up to hundreds of
-- thousands of index entries. Meaning as `livestock_counts` (migration 31): `dimension` ''
-- with `value` '' counts every order; a buyer, seller or farm that is not set (or was
-- deleted: `on delete set null`) counts under the value ''.

create table trade_order_counts (
    dimension text not null,
    value text not null,
    n integer not null,
    primary key (dimension, value)
) without rowid;

insert into trade_order_counts (dimension, value, n)
    select '', '', count(*) from trade_orders;
insert into trade_order_counts (dimension, value, n)
    select 'order_type', coalesce(cast(order_type as text), ''), count(*) from trade_orders group by coalesce(cast(order_type as text), '');
insert into trade_order_counts (dimension, value, n)
    select 'order_status', coalesce(cast(order_status as text), ''), count(*) from trade_orders group by coalesce(cast(order_status as text), '');
insert into trade_order_counts (dimension, value, n)
    select 'payment_status', coalesce(cast(payment_status as text), ''), count(*) from trade_orders group by coalesce(cast(payment_status as text), '');
insert into trade_order_counts (dimension, value, n)
    select 'buyer_id', coalesce(cast(buyer_id as text), ''), count(*) from trade_orders group by coalesce(cast(buyer_id as text), '');
insert into trade_order_counts (dimension, value, n)
    select 'seller_id', coalesce(cast(seller_id as text), ''), count(*) from trade_orders group by coalesce(cast(seller_id as text), '');
insert into trade_order_counts (dimension, value, n)
    select 'farm_id', coalesce(cast(farm_id as text), ''), count(*) from trade_orders group by coalesce(cast(farm_id as text), '');

create trigger trade_orders_count_insert after insert on trade_orders
begin
    insert into trade_order_counts (dimension, value, n) values
        ('', '', 1),
        ('order_type', coalesce(cast(new.order_type as text), ''), 1),
        ('order_status', coalesce(cast(new.order_status as text), ''), 1),
        ('payment_status', coalesce(cast(new.payment_status as text), ''), 1),
        ('buyer_id', coalesce(cast(new.buyer_id as text), ''), 1),
        ('seller_id', coalesce(cast(new.seller_id as text), ''), 1),
        ('farm_id', coalesce(cast(new.farm_id as text), ''), 1)
    on conflict (dimension, value) do update set n = trade_order_counts.n + excluded.n;
end;

create trigger trade_orders_count_delete after delete on trade_orders
begin
    insert into trade_order_counts (dimension, value, n) values
        ('', '', -1),
        ('order_type', coalesce(cast(old.order_type as text), ''), -1),
        ('order_status', coalesce(cast(old.order_status as text), ''), -1),
        ('payment_status', coalesce(cast(old.payment_status as text), ''), -1),
        ('buyer_id', coalesce(cast(old.buyer_id as text), ''), -1),
        ('seller_id', coalesce(cast(old.seller_id as text), ''), -1),
        ('farm_id', coalesce(cast(old.farm_id as text), ''), -1)
    on conflict (dimension, value) do update set n = trade_order_counts.n + excluded.n;
end;

create trigger trade_orders_count_update after update on trade_orders
when old.order_type is not new.order_type or old.order_status is not new.order_status or old.payment_status is not new.payment_status or old.buyer_id is not new.buyer_id or old.seller_id is not new.seller_id or old.farm_id is not new.farm_id
begin
    insert into trade_order_counts (dimension, value, n) values
        ('', '', -1),
        ('order_type', coalesce(cast(old.order_type as text), ''), -1),
        ('order_status', coalesce(cast(old.order_status as text), ''), -1),
        ('payment_status', coalesce(cast(old.payment_status as text), ''), -1),
        ('buyer_id', coalesce(cast(old.buyer_id as text), ''), -1),
        ('seller_id', coalesce(cast(old.seller_id as text), ''), -1),
        ('farm_id', coalesce(cast(old.farm_id as text), ''), -1)
    on conflict (dimension, value) do update set n = trade_order_counts.n + excluded.n;
    insert into trade_order_counts (dimension, value, n) values
        ('', '', 1),
        ('order_type', coalesce(cast(new.order_type as text), ''), 1),
        ('order_status', coalesce(cast(new.order_status as text), ''), 1),
        ('payment_status', coalesce(cast(new.payment_status as text), ''), 1),
        ('buyer_id', coalesce(cast(new.buyer_id as text), ''), 1),
        ('seller_id', coalesce(cast(new.seller_id as text), ''), 1),
        ('farm_id', coalesce(cast(new.farm_id as text), ''), 1)
    on conflict (dimension, value) do update set n = trade_order_counts.n + excluded.n;
end;
