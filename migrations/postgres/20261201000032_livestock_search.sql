-- Trigram indexes for the `keyword` filters of the farm list (substring of name, code or
-- address) and the animal list (substring of code or name), so a search reads its matches
-- from an index instead of scanning every row. One row per farm / animal (`rowid` = its id);
-- `search_text` is the searched columns, each as `lower()` gives it, joined by a newline (a
-- keyword never matches across two columns; one containing a newline is not searched here).
-- pg_trgm's GIN operator class answers `search_text LIKE '%…%'` from the index (the
-- extension is installed by migration 3). Row triggers keep the rows (each touches only its
-- own row, so there is no shared counter row to contend on), so every write path keeps them
-- right.

create table animal_search (
    rowid bigint primary key references animals (id) on delete cascade,
    search_text text not null
);
insert into animal_search (rowid, search_text)
    select id, lower(code) || chr(10) || lower(name) from animals;

create function animal_search_write() returns trigger language plpgsql as $$
begin
    insert into animal_search (rowid, search_text)
        values (new.id, lower(new.code) || chr(10) || lower(new.name))
        on conflict (rowid) do update set search_text = excluded.search_text;
    return null;
end
$$;
create trigger animal_search_insert after insert on animals
    for each row execute function animal_search_write();
create trigger animal_search_update after update of code, name on animals
    for each row execute function animal_search_write();

create table farm_search (
    rowid bigint primary key references farms (id) on delete cascade,
    search_text text not null
);
insert into farm_search (rowid, search_text)
    select id, lower(name) || chr(10) || lower(code) || chr(10) || lower(address) from farms;

create function farm_search_write() returns trigger language plpgsql as $$
begin
    insert into farm_search (rowid, search_text)
        values (new.id, lower(new.name) || chr(10) || lower(new.code) || chr(10) || lower(new.address))
        on conflict (rowid) do update set search_text = excluded.search_text;
    return null;
end
$$;
create trigger farm_search_insert after insert on farms
    for each row execute function farm_search_write();
create trigger farm_search_update after update of name, code, address on farms
    for each row execute function farm_search_write();

do $$
declare
    trgm_schema text;
begin
    select n.nspname into trgm_schema
        from pg_extension e join pg_namespace n on n.oid = e.extnamespace
        where e.extname = 'pg_trgm';
    execute format(
        'create index animal_search_trgm_idx on animal_search using gin (search_text %I.gin_trgm_ops)',
        trgm_schema
    );
    execute format(
        'create index farm_search_trgm_idx on farm_search using gin (search_text %I.gin_trgm_ops)',
        trgm_schema
    );
end
$$;
