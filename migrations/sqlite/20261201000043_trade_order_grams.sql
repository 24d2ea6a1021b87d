-- Gram table for the order list's `keyword` when it is a substring of the order number rather
-- than an `ORD…` prefix (that one stays a range of the unique order number): the same grams
-- as the farm and animal tables of migration `…33` (bigrams, trigrams, suffixes cut at 16
-- characters; widths in `search_gram_widths`), of `upper(order_no)`, since the list matches
-- order numbers upper-cased. Kept by triggers in the same transaction as every order write.

create table trade_order_grams (
    gram text not null,
    order_id integer not null,
    primary key (gram, order_id)
) without rowid;
create index trade_order_grams_order on trade_order_grams (order_id);

insert or ignore into trade_order_grams (gram, order_id)
    select substr(upper(o.order_no), p.n, w.width), o.id
    from trade_orders o
    join search_positions p on p.n < length(o.order_no)
    join search_gram_widths w on p.n <= length(o.order_no) + 1 - w.shortest;

create trigger trade_order_grams_insert after insert on trade_orders
begin
    insert or ignore into trade_order_grams (gram, order_id)
        select substr(upper(new.order_no), p.n, w.width), new.id
        from search_positions p
        join search_gram_widths w on p.n <= length(new.order_no) + 1 - w.shortest
        where p.n < length(new.order_no);
end;

create trigger trade_order_grams_update after update of order_no on trade_orders
begin
    delete from trade_order_grams where order_id = old.id;
    insert or ignore into trade_order_grams (gram, order_id)
        select substr(upper(new.order_no), p.n, w.width), new.id
        from search_positions p
        join search_gram_widths w on p.n <= length(new.order_no) + 1 - w.shortest
        where p.n < length(new.order_no);
end;

create trigger trade_order_grams_delete after delete on trade_orders
begin
    delete from trade_order_grams where order_id = old.id;
end;
