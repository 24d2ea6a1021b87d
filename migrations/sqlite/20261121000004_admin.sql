-- admin_v1: rotating refresh tokens over the shared sessions, and login captchas.
-- Times are integer microseconds since the epoch (UTC).

-- One row per refresh token ever issued; a token is spent once (`used_at`). Presenting a spent
-- token again is a replay: the session behind it is revoked.
create table admin_refresh_tokens (
    id integer primary key autoincrement,
    session_id integer not null references sessions (id) on delete cascade,
    token_hash text not null,
    created_at integer not null,
    expires_at integer not null,
    used_at integer
);
create unique index admin_refresh_tokens_hash_uq on admin_refresh_tokens (token_hash);
create index admin_refresh_tokens_session_idx on admin_refresh_tokens (session_id);

-- Single-use login captchas: the key and the answer are stored only as hashes.
create table captchas (
    id integer primary key autoincrement,
    key_hash text not null,
    answer_hash text not null,
    created_at integer not null,
    expires_at integer not null,
    used_at integer
);
create unique index captchas_key_uq on captchas (key_hash);
create index captchas_expires_idx on captchas (expires_at);
