-- Files: content-addressed blobs and the file records that point at them.
-- A blob is stored once per sha256; every upload gets its own record. A record is inserted only
-- after its blob is in place, and a blob is removed only when no record references it.

-- One row per stored blob. Besides the metadata, the row is the lock that serialises placing and
-- removing the blob's file across processes (see src/domain/files/blobs.rs).
create table blobs (
    sha256 text primary key,
    size integer not null,
    mime text not null,
    created_at integer not null
);

create table files (
    id integer primary key autoincrement,
    user_id integer not null references users (id) on delete cascade,
    name text not null,
    type text not null default 'image',
    description text not null default '',
    mime text not null,
    size integer not null,
    sha256 text not null references blobs (sha256),
    created_at integer not null
);
create index files_user_idx on files (user_id, type, id);
create index files_type_idx on files (type, id);
create index files_sha256_idx on files (sha256);
