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
-- the rows holding a suffix that starts with it (an index range on `gram`); a longer term's
-- first 16 characters give candidates that the list checks with `LIKE`. Grams are per
-- column, so no term matches across two columns. The widths live in `search_gram_widths`
-- (16 is `SUFFIX_MAX` in src/domain/livestock/search.rs). Triggers keep the rows in the same
-- transaction as every write (the API, cascades, the seed command).

drop trigger animal_search_insert;
drop trigger animal_search_update;
drop trigger animal_search_delete;
drop table animal_search;
drop trigger farm_search_insert;
drop trigger farm_search_update;
drop trigger farm_search_delete;
drop table farm_search;

-- Character positions 1…2000 (SQLite triggers cannot use a recursive WITH). The searched
-- columns are at most 200 characters (src/domain/livestock/farm.rs, animal.rs).
create table search_positions (n integer primary key);
insert into search_positions (n)
    with recursive c (n) as (select 1 union all select n + 1 from c where n < 2000)
    select n from c;

-- Each kind of gram: how many characters it takes (`width`) and how many must be left from
-- its position for it to be kept (`shortest`).
create table search_gram_widths (width integer primary key, shortest integer not null);
insert into search_gram_widths (width, shortest) values (2, 2), (3, 3), (16, 4);

create table farm_grams (
    gram text not null,
    farm_id integer not null,
    primary key (gram, farm_id)
) without rowid;
create index farm_grams_farm on farm_grams (farm_id);

insert or ignore into farm_grams (gram, farm_id)
    select substr(t.s, p.n, w.width), t.id
    from (select id, lower(name) as s from farms
          union all select id, lower(code) from farms
          union all select id, lower(address) from farms) t
    join search_positions p on p.n < length(t.s)
    join search_gram_widths w on p.n <= length(t.s) + 1 - w.shortest;

create trigger farm_grams_insert after insert on farms
begin
    insert or ignore into farm_grams (gram, farm_id)
        select substr(t.s, p.n, w.width), new.id
        from (select lower(new.name) as s union all select lower(new.code)
              union all select lower(new.address)) t
        join search_positions p on p.n < length(t.s)
        join search_gram_widths w on p.n <= length(t.s) + 1 - w.shortest;
end;

create trigger farm_grams_update after update of name, code, address on farms
begin
    delete from farm_grams where farm_id = old.id;
    insert or ignore into farm_grams (gram, farm_id)
        select substr(t.s, p.n, w.width), new.id
        from (select lower(new.name) as s union all select lower(new.code)
              union all select lower(new.address)) t
        join search_positions p on p.n < length(t.s)
        join search_gram_widths w on p.n <= length(t.s) + 1 - w.shortest;
end;

create trigger farm_grams_delete after delete on farms
begin
    delete from farm_grams where farm_id = old.id;
end;

create table animal_grams (
    gram text not null,
    animal_id integer not null,
    primary key (gram, animal_id)
) without rowid;
create index animal_grams_animal on animal_grams (animal_id);

insert or ignore into animal_grams (gram, animal_id)
    select substr(t.s, p.n, w.width), t.id
    from (select id, lower(code) as s from animals
          union all select id, lower(name) from animals) t
    join search_positions p on p.n < length(t.s)
    join search_gram_widths w on p.n <= length(t.s) + 1 - w.shortest;

create trigger animal_grams_insert after insert on animals
begin
    insert or ignore into animal_grams (gram, animal_id)
        select substr(t.s, p.n, w.width), new.id
        from (select lower(new.code) as s union all select lower(new.name)) t
        join search_positions p on p.n < length(t.s)
        join search_gram_widths w on p.n <= length(t.s) + 1 - w.shortest;
end;

create trigger animal_grams_update after update of code, name on animals
begin
    delete from animal_grams where animal_id = old.id;
    insert or ignore into animal_grams (gram, animal_id)
        select substr(t.s, p.n, w.width), new.id
        from (select lower(new.code) as s union all select lower(new.name)) t
        join search_positions p on p.n < length(t.s)
        join search_gram_widths w on p.n <= length(t.s) + 1 - w.shortest;
end;

-- Also run for the animals a farm's deletion cascades to.
create trigger animal_grams_delete after delete on animals
begin
    delete from animal_grams where animal_id = old.id;
end;
