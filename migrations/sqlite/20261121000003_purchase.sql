-- Purchase orders (ops_v1 采购管理) and their cost lines, the per-owner order counts that keep
-- unfiltered lists from counting a million rows, and the trigram search index.
-- Times are integer microseconds since the epoch (UTC); money is integer smallest units.

create table purchase_orders (
    id integer primary key autoincrement,
    user_id integer not null references users (id) on delete cascade,
    title text not null default '',
    part_name text not null default '',
    remark text not null default '',
    link text not null default '',
    styles text not null default '',
    tracking_number text not null default '',
    -- JSON array of file SHA-256 hashes.
    photos text not null default '[]',
    order_status text not null default 'pending',
    -- Σ price × quantity over the cost lines.
    total_cost integer not null default 0,
    update_time integer,
    created_at integer not null,
    updated_at integer not null
);
-- Newest first, per owner and for everyone (the rowid is the implicit last column).
create index purchase_orders_user_created_idx on purchase_orders (user_id, created_at);
create index purchase_orders_created_idx on purchase_orders (created_at);

create table purchase_costs (
    id integer primary key autoincrement,
    order_id integer not null references purchase_orders (id) on delete cascade,
    user_id integer not null,
    price integer not null,
    quantity integer not null,
    -- The client's line total, JSON text exactly as sent.
    costt text,
    currencytype text not null,
    type text not null default '',
    created_at integer not null
);
create index purchase_costs_order_idx on purchase_costs (order_id);

create table purchase_order_counts (
    user_id integer primary key references users (id) on delete cascade,
    orders integer not null
);

-- rowid = order id; search_text = title, part name, remark and tracking number, lower-cased.
-- The trigram tokenizer answers `search_text LIKE '%…%'` from the index. The order's owner and
-- creation time (both immutable) ride along, so a search filters, counts and sorts here without
-- visiting the orders table once per match.
create virtual table purchase_search using fts5 (
    search_text,
    user_id unindexed,
    created_at unindexed,
    tokenize = 'trigram'
);

-- A virtual table cannot carry a foreign key; this trigger plays the cascade's part.
create trigger purchase_orders_search_delete after delete on purchase_orders
begin
    delete from purchase_search where rowid = old.id;
end;
