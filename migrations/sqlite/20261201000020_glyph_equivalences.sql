-- The hanzi web client's 当量 (key-equivalence) uploads: `{user, model, data}` as posted,
-- listed oldest first. `user_name` and `model` are the strings the client sent; `data` is
-- the JSON array as text. `posted_by` is the account whose token posted it (kept for audit,
-- not shown; cleared when that account is deleted).

create table glyph_equivalences (
    id integer primary key autoincrement,
    user_name text not null,
    model text not null,
    data text not null,
    posted_by integer references users (id) on delete set null,
    created_at integer not null
);
