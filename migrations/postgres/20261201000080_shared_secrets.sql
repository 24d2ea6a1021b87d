-- Secrets every node must agree on, generated once by whichever node starts first: today the
-- HS256 key of the JWT dialects (`security.jwt_secret` empty). Kept in the database rather than
-- in one node's data directory, so a token signed by one node is accepted by every other.
create table shared_secrets (
    name text primary key,
    value text not null,
    created_at bigint not null
);
