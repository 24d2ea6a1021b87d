-- Notifications (admin API §13): a notification is stored once, whoever receives it. A
-- notification for everyone (`to_all` = 1) has no recipient rows at all; one for named users
-- has one recipient row per user. Read state is per user, in its own table, so marking read
-- never touches the notification. Times are integer microseconds since the epoch (UTC).

create table notifications (
    id integer primary key autoincrement,
    type text not null,
    title text not null,
    content text not null,
    to_all integer not null default 0,
    -- Who sent it; null for the system (order audits, exports) or a deleted sender.
    sender_id integer references users (id) on delete set null,
    created_at integer not null
);
-- Broadcasts newest first; the stream's "anything after id N" reads the same index.
create index notifications_all_idx on notifications (to_all, id);

create table notification_recipients (
    notification_id integer not null references notifications (id) on delete cascade,
    user_id integer not null references users (id) on delete cascade,
    primary key (user_id, notification_id)
);
create index notification_recipients_notification_idx on notification_recipients (notification_id);

create table notification_reads (
    user_id integer not null references users (id) on delete cascade,
    notification_id integer not null references notifications (id) on delete cascade,
    read_at integer not null,
    primary key (user_id, notification_id)
);
create index notification_reads_notification_idx on notification_reads (notification_id);
