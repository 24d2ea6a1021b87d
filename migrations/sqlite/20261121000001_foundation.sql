-- Foundation: identity (users, sessions, throttling, password resets), the access model
-- (roles = groups, permission tree, API rules) and the runtime settings store.
-- Times are integer microseconds since the epoch (UTC); booleans are 0/1.

create table users (
    id integer primary key autoincrement,
    username text not null,
    password_hash text not null,
    display_name text not null default '',
    first_name text not null default '',
    last_name text not null default '',
    email text,
    phone text,
    gender text not null default 'unknown',
    avatar text,
    language text,
    birthday text,
    address text,
    id_card text,
    dingding text,
    is_active integer not null default 1,
    created_at integer not null,
    updated_at integer not null,
    last_login_at integer,
    last_login_ip text
);
create unique index users_username_uq on users (username);
create unique index users_email_uq on users (lower(email)) where email is not null;
create unique index users_phone_uq on users (phone) where phone is not null;
create index users_created_at_idx on users (created_at);

create table roles (
    id integer primary key autoincrement,
    name text not null,
    code text not null,
    description text not null default '',
    status integer not null default 1,
    is_builtin integer not null default 0,
    created_at integer not null,
    updated_at integer not null
);
create unique index roles_code_uq on roles (code);
create unique index roles_name_uq on roles (name);

create table user_roles (
    user_id integer not null references users (id) on delete cascade,
    role_id integer not null references roles (id) on delete cascade,
    primary key (user_id, role_id)
);
create index user_roles_role_idx on user_roles (role_id);

-- Django-style back-end API patterns; a permission of type 'api' with a method points here.
create table backend_apis (
    id integer primary key autoincrement,
    name text,
    pattern text not null,
    app_name text,
    comment text,
    created_at integer not null,
    updated_at integer not null
);

create table permissions (
    id integer primary key autoincrement,
    parent_id integer references permissions (id) on delete cascade,
    name text not null default '',
    code text,
    type text not null,
    path text,
    icon text,
    sort_order integer not null default 0,
    status integer not null default 1,
    method text,
    api_id integer references backend_apis (id) on delete cascade,
    created_at integer not null,
    updated_at integer not null
);
create unique index permissions_code_uq on permissions (code) where code is not null;
create index permissions_parent_idx on permissions (parent_id);
create index permissions_api_idx on permissions (api_id);

create table role_permissions (
    role_id integer not null references roles (id) on delete cascade,
    permission_id integer not null references permissions (id) on delete cascade,
    primary key (role_id, permission_id)
);
create index role_permissions_perm_idx on role_permissions (permission_id);

create table user_permissions (
    user_id integer not null references users (id) on delete cascade,
    permission_id integer not null references permissions (id) on delete cascade,
    primary key (user_id, permission_id)
);
create index user_permissions_perm_idx on user_permissions (permission_id);

create table sessions (
    id integer primary key autoincrement,
    user_id integer not null references users (id) on delete cascade,
    token_hash text not null,
    kind text not null,
    created_at integer not null,
    expires_at integer not null,
    last_seen_at integer not null,
    revoked_at integer,
    ip text,
    user_agent text
);
create unique index sessions_token_uq on sessions (token_hash);
create index sessions_user_idx on sessions (user_id);
create index sessions_expires_idx on sessions (expires_at);

create table login_failures (
    id integer primary key autoincrement,
    login text not null,
    ip text not null,
    created_at integer not null
);
create index login_failures_lookup_idx on login_failures (login, ip, created_at);

create table password_resets (
    id integer primary key autoincrement,
    user_id integer not null references users (id) on delete cascade,
    token_hash text not null,
    created_at integer not null,
    expires_at integer not null,
    used_at integer
);
create unique index password_resets_token_uq on password_resets (token_hash);

-- The runtime settings store shared by ops_v1 /system/config and admin_v1 /system/configs.
-- `value` is JSON text; `value_type` is string | number | boolean | json.
create table settings (
    id integer primary key autoincrement,
    key text not null,
    value text not null,
    value_type text not null,
    description text not null default '',
    is_public integer not null default 0,
    created_at integer not null,
    updated_at integer not null
);
create unique index settings_key_uq on settings (key);

insert into roles (name, code, description, status, is_builtin, created_at, updated_at) values
    ('超级管理员', 'super_admin', '系统超级管理员,拥有所有权限', 1, 1, cast(strftime('%s', 'now') as integer) * 1000000, cast(strftime('%s', 'now') as integer) * 1000000),
    ('管理员', 'admin', '管理员', 1, 1, cast(strftime('%s', 'now') as integer) * 1000000, cast(strftime('%s', 'now') as integer) * 1000000),
    ('普通用户', 'user', '普通用户', 1, 1, cast(strftime('%s', 'now') as integer) * 1000000, cast(strftime('%s', 'now') as integer) * 1000000);
