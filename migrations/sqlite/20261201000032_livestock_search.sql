-- Trigram indexes for the `keyword` filters of the farm list (substring of name, code or
-- address) and the animal list (substring of code or name), so a search reads its matches
-- from an index instead of scanning every row. One row per farm / animal (`rowid` = its id);
-- `search_text` is the searched columns, each as `lower()` gives it, joined by a newline (a
-- keyword never matches across two columns; one containing a newline is not searched here).
-- The FTS5 `trigram` tokenizer answers `search_text LIKE '%…%'` from the index. Triggers keep
-- the rows, so every write path (the API, cascades, the seed command) keeps them right.

create virtual table animal_search using fts5 (search_text, tokenize = 'trigram');
insert into animal_search (rowid, search_text)
    select id, lower(code) || char(10) || lower(name) from animals;

create trigger animal_search_insert after insert on animals
begin
    insert into animal_search (rowid, search_text)
        values (new.id, lower(new.code) || char(10) || lower(new.name));
end;

create trigger animal_search_update after update of code, name on animals
begin
    update animal_search set search_text = lower(new.code) || char(10) || lower(new.name)
        where rowid = new.id;
end;

-- A virtual table cannot carry a foreign key; this trigger plays the cascade's part.
create trigger animal_search_delete after delete on animals
begin
    delete from animal_search where rowid = old.id;
end;

create virtual table farm_search using fts5 (search_text, tokenize = 'trigram');
insert into farm_search (rowid, search_text)
    select id, lower(name) || char(10) || lower(code) || char(10) || lower(address) from farms;

create trigger farm_search_insert after insert on farms
begin
    insert into farm_search (rowid, search_text)
        values (new.id, lower(new.name) || char(10) || lower(new.code) || char(10) || lower(new.address));
end;

create trigger farm_search_update after update of name, code, address on farms
begin
    update farm_search
        set search_text = lower(new.name) || char(10) || lower(new.code) || char(10) || lower(new.address)
        where rowid = new.id;
end;

create trigger farm_search_delete after delete on farms
begin
    delete from farm_search where rowid = old.id;
end;
