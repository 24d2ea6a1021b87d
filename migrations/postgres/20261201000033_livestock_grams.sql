-- Gram tables for the `keyword` filters of the farm list (substring of name, code or address)
-- and the animal list (substring of code or name), replacing the trigram tables of migration
-- `…32`: those answered a term by counting every row holding each of its trigrams, and the
-- trigrams of a code (`pig`, `000`) are in most rows, so the cost grew with the table.
--
-- For every searched column (as `lower()` gives it) and every character position p, the table
-- holds (once per farm / animal):
--   * the 2 characters from p (a bigram),
--   * the 3 characters from p (a trigram),
--   * the text from p on, cut at 16 characters, when at least 4 are left (a suffix).
-- A term of 2 or 3 characters matches exactly the rows holding it as a gram (one index key,
-- read in id order: a page is the first entries); a term of 4–16 characters matches exactly
-- the rows holding a suffix that starts with it (an index range on `gram`, which is why the
-- column sorts bytewise: `collate "C"`); a longer term's first 16 characters give candidates
-- that the list checks with `LIKE`. Grams are per column, so no term matches across two
-- columns. The widths live in `search_gram_widths` (16 is `SUFFIX_MAX` in
-- src/domain/livestock/search.rs). Row triggers keep the rows in the same transaction as
-- every write (the API, cascades, the seed command); no foreign key, so the seed's inserts
-- pay no check per gram.

drop trigger animal_search_insert on animals;
drop trigger animal_search_update on animals;
drop function animal_search_write();
drop table animal_search;
drop trigger farm_search_insert on farms;
drop trigger farm_search_update on farms;
drop function farm_search_write();
drop table farm_search;

-- Each kind of gram: how many characters it takes (`width`) and how many must be left from
-- its position for it to be kept (`shortest`).
create table search_gram_widths (width integer primary key, shortest integer not null);
insert into search_gram_widths (width, shortest) values (2, 2), (3, 3), (16, 4);

create table farm_grams (
    gram text collate "C" not null,
    farm_id bigint not null,
    primary key (gram, farm_id)
);
create index farm_grams_farm on farm_grams (farm_id);

insert into farm_grams (gram, farm_id)
    select distinct substr(t.s, p.n, w.width), f.id
    from farms f
    cross join lateral (values (lower(f.name)), (lower(f.code)), (lower(f.address))) t (s)
    cross join lateral generate_series(1, length(t.s) - 1) p (n)
    join search_gram_widths w on p.n <= length(t.s) + 1 - w.shortest;

create function farm_grams_write() returns trigger language plpgsql as $$
begin
    if tg_op <> 'INSERT' then
        delete from farm_grams where farm_id = old.id;
    end if;
    if tg_op <> 'DELETE' then
        insert into farm_grams (gram, farm_id)
            select substr(t.s, p.n, w.width), new.id
            from (values (lower(new.name)), (lower(new.code)), (lower(new.address))) t (s)
            cross join lateral generate_series(1, length(t.s) - 1) p (n)
            join search_gram_widths w on p.n <= length(t.s) + 1 - w.shortest
            on conflict do nothing;
    end if;
    return null;
end
$$;
create trigger farm_grams_insert after insert on farms
    for each row execute function farm_grams_write();
create trigger farm_grams_update after update of name, code, address on farms
    for each row execute function farm_grams_write();
create trigger farm_grams_delete after delete on farms
    for each row execute function farm_grams_write();

create table animal_grams (
    gram text collate "C" not null,
    animal_id bigint not null,
    primary key (gram, animal_id)
);
create index animal_grams_animal on animal_grams (animal_id);

insert into animal_grams (gram, animal_id)
    select distinct substr(t.s, p.n, w.width), a.id
    from animals a
    cross join lateral (values (lower(a.code)), (lower(a.name))) t (s)
    cross join lateral generate_series(1, length(t.s) - 1) p (n)
    join search_gram_widths w on p.n <= length(t.s) + 1 - w.shortest;

create function animal_grams_write() returns trigger language plpgsql as $$
begin
    if tg_op <> 'INSERT' then
        delete from animal_grams where animal_id = old.id;
    end if;
    if tg_op <> 'DELETE' then
        insert into animal_grams (gram, animal_id)
            select substr(t.s, p.n, w.width), new.id
            from (values (lower(new.code)), (lower(new.name))) t (s)
            cross join lateral generate_series(1, length(t.s) - 1) p (n)
            join search_gram_widths w on p.n <= length(t.s) + 1 - w.shortest
            on conflict do nothing;
    end if;
    return null;
end
$$;
create trigger animal_grams_insert after insert on animals
    for each row execute function animal_grams_write();
create trigger animal_grams_update after update of code, name on animals
    for each row execute function animal_grams_write();
-- Also runs for the animals a farm's deletion cascades to.
create trigger animal_grams_delete after delete on animals
    for each row execute function animal_grams_write();
