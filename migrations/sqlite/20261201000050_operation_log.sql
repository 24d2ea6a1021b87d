-- platform: the operation log (admin document §9.2), written by every dialect.
-- Times are integer microseconds since the epoch (UTC).

-- One row per request that changed data, and per login, refresh and logout. No foreign key
-- to users: the log outlives the accounts it names (`username` is a snapshot).
-- `request_data` / `response_data` are JSON text, already masked and cut to size.
create table operation_logs (
    id integer primary key autoincrement,
    user_id integer,
    username text,
    dialect text not null,
    module text not null,
    action text not null,
    method text not null,
    url text not null,
    ip text not null,
    user_agent text,
    request_data text,
    response_data text,
    status_code integer not null,
    execution_time integer not null,
    created_at integer not null
);
-- Newest first, alone or after one equality filter: every list query walks one of these.
create index operation_logs_created_idx on operation_logs (created_at, id);
create index operation_logs_user_idx on operation_logs (user_id, created_at, id);
create index operation_logs_module_idx on operation_logs (module, created_at, id);
create index operation_logs_action_idx on operation_logs (action, created_at, id);
create index operation_logs_ip_idx on operation_logs (ip, created_at, id);

-- Entries per hour and per filter value (`dim` = all | user | module | action | ip), kept by
-- the trigger below in the statement that writes the entries (atomic, and no extra round trip
-- per request): a list's total is a sum over at most one row per hour instead of a count over
-- millions of entries. `hour` = created_at / 3600000000.
create table operation_log_tallies (
    dim text not null,
    val text not null,
    hour integer not null,
    n integer not null,
    primary key (dim, val, hour)
);

create trigger operation_logs_tally after insert on operation_logs
begin
    insert into operation_log_tallies (dim, val, hour, n) values
        ('all', '', new.created_at / 3600000000, 1),
        ('user', coalesce(cast(new.user_id as text), ''), new.created_at / 3600000000, 1),
        ('module', new.module, new.created_at / 3600000000, 1),
        ('action', new.action, new.created_at / 3600000000, 1),
        ('ip', new.ip, new.created_at / 3600000000, 1)
    on conflict (dim, val, hour) do update set n = n + 1;
end;
