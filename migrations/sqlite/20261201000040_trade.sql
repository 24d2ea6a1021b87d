-- Livestock trade orders (admin_v1 §7 订单), their lines, the per-day order-number counter and
-- financial records (§8 财务) with a per-day rollup for statistics.
-- Times are integer microseconds since the epoch (UTC); money is integer fen (1/100 yuan);
-- calendar dates are `YYYY-MM-DD` text in server.timezone (they sort and slice like dates).
-- People are referenced with `on delete set null`: deleting an account must not erase or block
-- the trading and bookkeeping history it took part in. Farms and animals are checked by the
-- code at write time, not by a foreign key, so the farms part can evolve its tables freely.

create table trade_orders (
    id integer primary key autoincrement,
    -- ORD + local date (YYYYMMDD) + per-day sequence, 4 digits or more.
    order_no text not null,
    order_type text not null,
    buyer_id integer references users (id) on delete set null,
    seller_id integer references users (id) on delete set null,
    farm_id integer,
    total_amount integer not null,
    discount_amount integer not null default 0,
    shipping_fee integer not null default 0,
    -- total - discount + shipping, kept so lists and sums need no arithmetic.
    actual_amount integer not null,
    payment_method text,
    payment_status text not null default 'unpaid',
    order_status text not null default 'pending',
    ship_name text,
    ship_phone text,
    ship_province text,
    ship_city text,
    ship_district text,
    ship_address text,
    shipping_method text,
    tracking_number text,
    notes text,
    audit_notes text,
    audited_by integer references users (id) on delete set null,
    audited_at integer,
    paid_at integer,
    shipped_at integer,
    delivered_at integer,
    completed_at integer,
    cancelled_at integer,
    cancel_reason text,
    refund_amount integer,
    refund_reason text,
    refund_notes text,
    refunded_at integer,
    created_by integer references users (id) on delete set null,
    created_at integer not null,
    updated_at integer not null
);
create unique index trade_orders_no_uq on trade_orders (order_no);
-- Newest first, for everyone and under each documented equality filter.
create index trade_orders_created_idx on trade_orders (created_at, id);
create index trade_orders_buyer_idx on trade_orders (buyer_id, created_at, id);
create index trade_orders_seller_idx on trade_orders (seller_id, created_at, id);
create index trade_orders_farm_idx on trade_orders (farm_id, created_at, id);
create index trade_orders_status_idx on trade_orders (order_status, created_at, id);
create index trade_orders_payment_idx on trade_orders (payment_status, created_at, id);
create index trade_orders_type_idx on trade_orders (order_type, created_at, id);

create table trade_order_items (
    id integer primary key autoincrement,
    order_id integer not null references trade_orders (id) on delete cascade,
    item_type text not null,
    -- The animal's id when item_type = 'animal'; otherwise free (feed, medicine, … have no table).
    item_id integer,
    item_name text not null,
    item_code text,
    item_spec text,
    unit_price integer not null,
    quantity integer not null,
    unit text,
    subtotal integer not null,
    notes text,
    created_at integer not null
);
create index trade_order_items_order_idx on trade_order_items (order_id, id);
create index trade_order_items_item_idx on trade_order_items (item_type, item_id);

-- One row per local day: the last sequence handed out. Incremented inside the create
-- transaction, so a rolled-back create gives its number back and numbers have no gaps.
create table trade_order_counters (
    day text primary key,
    last_seq integer not null
);

create table financial_records (
    id integer primary key autoincrement,
    record_type text not null,
    category text not null,
    amount integer not null,
    description text,
    related_id integer,
    related_type text,
    payment_method text,
    receipt_image text,
    record_date text not null,
    user_id integer references users (id) on delete set null,
    farm_id integer,
    notes text,
    created_by integer references users (id) on delete set null,
    created_at integer not null,
    updated_at integer not null
);
create index financial_records_date_idx on financial_records (record_date, id);
create index financial_records_user_idx on financial_records (user_id, record_date, id);
create index financial_records_farm_idx on financial_records (farm_id, record_date, id);
create index financial_records_type_idx on financial_records (record_type, record_date, id);
create index financial_records_category_idx on financial_records (category, record_date, id);
create index financial_records_amount_idx on financial_records (amount, id);
create index financial_records_related_idx on financial_records (related_type, related_id);

-- Σ amount and count per local day, type and category over every record, kept in the same
-- transaction as each record write, so unfiltered statistics and list summaries read a few
-- hundred rows instead of a million.
create table financial_daily_totals (
    day text not null,
    record_type text not null,
    category text not null,
    amount integer not null,
    records integer not null,
    primary key (day, record_type, category)
);
