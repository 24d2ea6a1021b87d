-- admin_v1 uploads and export jobs.
--
-- Uploads: a file record may carry a `category` and the hash of its thumbnail, itself a blob of
-- the same content-addressed store (so a blob is referenced by files.sha256, files.thumb_sha256
-- or export_tasks.file_sha256, and is removed only when none of them names it).
alter table files add column category text;
alter table files add column thumb_sha256 text references blobs (sha256);
create index files_thumb_idx on files (thumb_sha256);

-- Export tasks are also the durable job queue: a worker claims a pending row (or a processing
-- row whose lease has run out, because its node died) by setting its lease; the finished file is
-- a blob, so every node can serve it.
create table export_tasks (
    id integer primary key autoincrement,
    user_id integer not null references users (id) on delete cascade,
    resource text not null,
    format text not null,
    -- The canonical request ({filters, fields}) as JSON text; dedupe_key is its sha256.
    request text not null,
    dedupe_key text not null,
    status text not null default 'pending',
    progress integer not null default 0,
    total integer not null default 0,
    record_count integer not null default 0,
    file_size integer,
    file_sha256 text references blobs (sha256),
    attempts integer not null default 0,
    lease_owner text,
    lease_until integer,
    error text,
    created_at integer not null,
    started_at integer,
    completed_at integer,
    expires_at integer
);
-- One live (pending or processing) task per user and identical request.
create unique index export_tasks_live_uq on export_tasks (user_id, dedupe_key)
    where status in ('pending', 'processing');
create index export_tasks_queue_idx on export_tasks (status, id);
create index export_tasks_expiry_idx on export_tasks (expires_at);
create index export_tasks_file_idx on export_tasks (file_sha256);
