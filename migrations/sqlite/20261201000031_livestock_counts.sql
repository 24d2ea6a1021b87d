-- Row counts per list filter value, so a list filtered by one documented filter (or none)
-- answers its `total` from one row instead of counting up to a million. Kept by triggers, so
-- every write path (the API, cascades from a deleted user or farm, the seed command) keeps them
-- right. `dimension` '' with `value` '' counts every row; otherwise `value` is the column's
-- value as text (integers in decimal).

create table livestock_counts (
    subject text not null,
    dimension text not null,
    value text not null,
    n integer not null,
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

create trigger animals_count_insert after insert on animals
begin
    insert into livestock_counts (subject, dimension, value, n) values
        ('animals', '', '', 1),
        ('animals', 'farm_id', cast(new.farm_id as text), 1),
        ('animals', 'category_id', cast(new.category_id as text), 1),
        ('animals', 'breed', cast(new.breed as text), 1),
        ('animals', 'gender', cast(new.gender as text), 1),
        ('animals', 'health_status', cast(new.health_status as text), 1),
        ('animals', 'status', cast(new.status as text), 1)
    on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
end;

create trigger animals_count_delete after delete on animals
begin
    insert into livestock_counts (subject, dimension, value, n) values
        ('animals', '', '', -1),
        ('animals', 'farm_id', cast(old.farm_id as text), -1),
        ('animals', 'category_id', cast(old.category_id as text), -1),
        ('animals', 'breed', cast(old.breed as text), -1),
        ('animals', 'gender', cast(old.gender as text), -1),
        ('animals', 'health_status', cast(old.health_status as text), -1),
        ('animals', 'status', cast(old.status as text), -1)
    on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
end;

create trigger animals_count_update after update on animals
when old.farm_id is not new.farm_id or old.category_id is not new.category_id or old.breed is not new.breed or old.gender is not new.gender or old.health_status is not new.health_status or old.status is not new.status
begin
    insert into livestock_counts (subject, dimension, value, n) values
        ('animals', '', '', -1),
        ('animals', 'farm_id', cast(old.farm_id as text), -1),
        ('animals', 'category_id', cast(old.category_id as text), -1),
        ('animals', 'breed', cast(old.breed as text), -1),
        ('animals', 'gender', cast(old.gender as text), -1),
        ('animals', 'health_status', cast(old.health_status as text), -1),
        ('animals', 'status', cast(old.status as text), -1)
    on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
    insert into livestock_counts (subject, dimension, value, n) values
        ('animals', '', '', 1),
        ('animals', 'farm_id', cast(new.farm_id as text), 1),
        ('animals', 'category_id', cast(new.category_id as text), 1),
        ('animals', 'breed', cast(new.breed as text), 1),
        ('animals', 'gender', cast(new.gender as text), 1),
        ('animals', 'health_status', cast(new.health_status as text), 1),
        ('animals', 'status', cast(new.status as text), 1)
    on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
end;

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

create trigger farms_count_insert after insert on farms
begin
    insert into livestock_counts (subject, dimension, value, n) values
        ('farms', '', '', 1),
        ('farms', 'type', cast(new.type as text), 1),
        ('farms', 'status', cast(new.status as text), 1),
        ('farms', 'province', cast(new.province as text), 1),
        ('farms', 'city', cast(new.city as text), 1),
        ('farms', 'user_id', cast(new.user_id as text), 1)
    on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
end;

create trigger farms_count_delete after delete on farms
begin
    insert into livestock_counts (subject, dimension, value, n) values
        ('farms', '', '', -1),
        ('farms', 'type', cast(old.type as text), -1),
        ('farms', 'status', cast(old.status as text), -1),
        ('farms', 'province', cast(old.province as text), -1),
        ('farms', 'city', cast(old.city as text), -1),
        ('farms', 'user_id', cast(old.user_id as text), -1)
    on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
end;

create trigger farms_count_update after update on farms
when old.type is not new.type or old.status is not new.status or old.province is not new.province or old.city is not new.city or old.user_id is not new.user_id
begin
    insert into livestock_counts (subject, dimension, value, n) values
        ('farms', '', '', -1),
        ('farms', 'type', cast(old.type as text), -1),
        ('farms', 'status', cast(old.status as text), -1),
        ('farms', 'province', cast(old.province as text), -1),
        ('farms', 'city', cast(old.city as text), -1),
        ('farms', 'user_id', cast(old.user_id as text), -1)
    on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
    insert into livestock_counts (subject, dimension, value, n) values
        ('farms', '', '', 1),
        ('farms', 'type', cast(new.type as text), 1),
        ('farms', 'status', cast(new.status as text), 1),
        ('farms', 'province', cast(new.province as text), 1),
        ('farms', 'city', cast(new.city as text), 1),
        ('farms', 'user_id', cast(new.user_id as text), 1)
    on conflict (subject, dimension, value) do update set n = livestock_counts.n + excluded.n;
end;
