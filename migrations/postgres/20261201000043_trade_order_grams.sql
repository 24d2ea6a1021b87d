-- Gram table for the order list's `keyword` when it is a substring of the order number rather
-- than an `ORD…` prefix (that one stays a range of the unique order number): the same grams
-- as the farm and animal tables of migration `…33` (bigrams, trigrams, suffixes cut at 16
-- characters; widths in `search_gram_widths`; `collate "C"` for the prefix ranges), of
-- `upper(order_no)`, since the list matches order numbers upper-cased. Kept by row triggers
-- in the same transaction as every order write.

create table trade_order_grams (
    gram text collate "C" not null,
    order_id bigint not null,
    primary key (gram, order_id)
);
create index trade_order_grams_order on trade_order_grams (order_id);

insert into trade_order_grams (gram, order_id)
    select distinct substr(upper(o.order_no), p.n, w.width), o.id
    from trade_orders o
    cross join lateral generate_series(1, length(o.order_no) - 1) p (n)
    join search_gram_widths w on p.n <= length(o.order_no) + 1 - w.shortest;

create function trade_order_grams_write() returns trigger language plpgsql as $$
begin
    if tg_op <> 'INSERT' then
        delete from trade_order_grams where order_id = old.id;
    end if;
    if tg_op <> 'DELETE' then
        insert into trade_order_grams (gram, order_id)
            select substr(upper(new.order_no), p.n, w.width), new.id
            from generate_series(1, length(new.order_no) - 1) p (n)
            join search_gram_widths w on p.n <= length(new.order_no) + 1 - w.shortest
            on conflict do nothing;
    end if;
    return null;
end
$$;
create trigger trade_order_grams_insert after insert on trade_orders
    for each row execute function trade_order_grams_write();
create trigger trade_order_grams_update after update of order_no on trade_orders
    for each row execute function trade_order_grams_write();
create trigger trade_order_grams_delete after delete on trade_orders
    for each row execute function trade_order_grams_write();
