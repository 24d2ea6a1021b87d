-- Row counts per list filter value, so a list filtered by one documented filter (or none)
-- answers its `total` from one row instead of counting up to a million. Kept by triggers, so
-- every write path (the API, cascades from a deleted user or farm, the seed command) keeps them
-- right. `dimension` '' with `value` '' counts every row; otherwise `value` is the column's
-- value as text (integers in decimal).

create table livestock_counts (
    subject text not null,
    dimension text not null,
    value text not null,
    n bigint not null,
    primary key (subject, dimension, value)
);

insert into livestock_counts (subject, dimension, value, n)
    select 'animals', '', '', count(*) from animals;
insert into livestock_counts (subject, dimension, value, n)
    select 'animals', 'farm_id', cast(farm_id as text), count(*) from animals group by farm_id;
insert into livestock_counts (subject, dimension, value, n)
    select 'animals', 'category_id', cast(category_id as text), count(*) from animals group by category_id;
insert into livestock_counts (subject, dimension, value, n)
    select 'animals', 'breed', cast(breed as text), count(*) from animals group by breed;
insert into livestock_counts (subject, dimension, value, n)
    select 'animals', 'gender', cast(gender as text), count(*) from animals group by gender;
insert into livestock_counts (subject, dimension, value, n)
    select 'animals', 'health_status', cast(health_status as text), count(*) from animals group by health_status;
insert into livestock_counts (subject, dimension, value, n)
    select 'animals', 'status', cast(status as text), count(*) from animals group by status;

create function animals_count() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        insert into livestock_counts (subject, dimension, value, n) values
        ('animals', '', '', -1),
        ('animals', 'farm_id', old.farm_id::text, -1),
        ('animals', 'category_id', old.category_id::text, -1),
        ('animals', 'breed', old.breed::text, -1),
        ('animals', 'gender', old.gender::text, -1),
        ('animals', 'health_status', old.health_status::text, -1),
        ('animals', 'status', old.status::text, -1)
        on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
    end if;
    if tg_op in ('UPDATE', 'INSERT') then
        insert into livestock_counts (subject, dimension, value, n) values
        ('animals', '', '', 1),
        ('animals', 'farm_id', new.farm_id::text, 1),
        ('animals', 'category_id', new.category_id::text, 1),
        ('animals', 'breed', new.breed::text, 1),
        ('animals', 'gender', new.gender::text, 1),
        ('animals', 'health_status', new.health_status::text, 1),
        ('animals', 'status', new.status::text, 1)
        on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
    end if;
    return null;
end
$$;
create trigger animals_count_insert_delete after insert or delete on animals
    for each row execute function animals_count();
create trigger animals_count_update after update on animals
    for each row when (old.farm_id is distinct from new.farm_id or old.category_id is distinct from new.category_id or old.breed is distinct from new.breed or old.gender is distinct from new.gender or old.health_status is distinct from new.health_status or old.status is distinct from new.status) execute function animals_count();

insert into livestock_counts (subject, dimension, value, n)
    select 'farms', '', '', count(*) from farms;
insert into livestock_counts (subject, dimension, value, n)
    select 'farms', 'type', cast(type as text), count(*) from farms group by type;
insert into livestock_counts (subject, dimension, value, n)
    select 'farms', 'status', cast(status as text), count(*) from farms group by status;
insert into livestock_counts (subject, dimension, value, n)
    select 'farms', 'province', cast(province as text), count(*) from farms group by province;
insert into livestock_counts (subject, dimension, value, n)
    select 'farms', 'city', cast(city as text), count(*) from farms group by city;
insert into livestock_counts (subject, dimension, value, n)
    select 'farms', 'user_id', cast(user_id as text), count(*) from farms group by user_id;

create function farms_count() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        insert into livestock_counts (subject, dimension, value, n) values
        ('farms', '', '', -1),
        ('farms', 'type', old.type::text, -1),
        ('farms', 'status', old.status::text, -1),
        ('farms', 'province', old.province::text, -1),
        ('farms', 'city', old.city::text, -1),
        ('farms', 'user_id', old.user_id::text, -1)
        on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
    end if;
    if tg_op in ('UPDATE', 'INSERT') then
        insert into livestock_counts (subject, dimension, value, n) values
        ('farms', '', '', 1),
        ('farms', 'type', new.type::text, 1),
        ('farms', 'status', new.status::text, 1),
        ('farms', 'province', new.province::text, 1),
        ('farms', 'city', new.city::text, 1),
        ('farms', 'user_id', new.user_id::text, 1)
        on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
    end if;
    return null;
end
$$;
create trigger farms_count_insert_delete after insert or delete on farms
    for each row execute function farms_count();
create trigger farms_count_update after update on farms
    for each row when (old.type is distinct from new.type or old.status is distinct from new.status or old.province is distinct from new.province or old.city is distinct from new.city or old.user_id is distinct from new.user_id) execute function farms_count();
