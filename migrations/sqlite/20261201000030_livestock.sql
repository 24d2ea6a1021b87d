-- Livestock (admin_v1 §5–6): farms, animal categories, animals and their health records, and
-- the one-row lock that serialises changes of animal parents.
-- Times are integer microseconds since the epoch (UTC); calendar dates (birth, purchase,
-- record dates) are `YYYY-MM-DD` text, which sorts and compares as dates; money is integer fen.

create table farms (
    id integer primary key autoincrement,
    -- The owner. Deleting a user deletes their farms (and, through them, the animals).
    user_id integer not null references users (id) on delete cascade,
    name text not null,
    code text not null,
    type text not null,
    -- Square metres.
    area real,
    capacity integer,
    address text not null default '',
    province text not null default '',
    city text not null default '',
    district text not null default '',
    longitude real,
    latitude real,
    license_number text,
    license_image text,
    description text,
    -- 0 pending review, 1 approved (normal), 2 rejected, 3 suspended.
    status integer not null default 0,
    audit_notes text,
    audited_at integer,
    audited_by integer references users (id) on delete set null,
    created_at integer not null,
    updated_at integer not null
);
create unique index farms_name_uq on farms (name);
create unique index farms_code_uq on farms (code);
create index farms_user_idx on farms (user_id, id);
create index farms_status_idx on farms (status, id);
create index farms_type_idx on farms (type, id);
create index farms_province_idx on farms (province, id);
create index farms_city_idx on farms (city, id);

create table animal_categories (
    id integer primary key autoincrement,
    name text not null,
    code text not null,
    description text,
    created_at integer not null,
    updated_at integer not null
);
create unique index animal_categories_name_uq on animal_categories (name);
create unique index animal_categories_code_uq on animal_categories (code);

create table animals (
    id integer primary key autoincrement,
    farm_id integer not null references farms (id) on delete cascade,
    -- A category in use is never deleted (the domain refuses; the key is the backstop).
    category_id integer not null references animal_categories (id),
    code text not null,
    name text not null default '',
    breed text not null default '',
    -- 0 unknown, 1 male, 2 female.
    gender integer not null default 0,
    birth_date text,
    -- Kilograms.
    weight real,
    -- healthy, sick, treating, quarantine, dead.
    health_status text not null default 'healthy',
    -- 1 in stock, 2 sold, 3 culled, 0 inactive.
    status integer not null default 1,
    father_id integer references animals (id) on delete set null,
    mother_id integer references animals (id) on delete set null,
    purchase_price integer,
    purchase_date text,
    purchase_source text,
    current_value integer,
    notes text,
    created_at integer not null,
    updated_at integer not null
);
create unique index animals_code_uq on animals (code);
create index animals_farm_idx on animals (farm_id, id);
create index animals_farm_health_idx on animals (farm_id, health_status);
create index animals_category_idx on animals (category_id, id);
create index animals_breed_idx on animals (breed, id);
create index animals_gender_idx on animals (gender, id);
create index animals_health_idx on animals (health_status, id);
create index animals_status_idx on animals (status, id);
create index animals_father_idx on animals (father_id);
create index animals_mother_idx on animals (mother_id);

create table health_records (
    id integer primary key autoincrement,
    animal_id integer not null references animals (id) on delete cascade,
    -- checkup, vaccination, treatment, deworming, quarantine, surgery, other.
    record_type text not null,
    record_date text not null,
    symptoms text,
    diagnosis text,
    treatment text,
    medicine text,
    dosage text,
    veterinarian text,
    cost integer,
    next_checkup_date text,
    notes text,
    -- JSON array of image URLs.
    images text not null default '[]',
    -- A treatment's drug withdrawal period: the animal may not be sold before
    -- `withdrawal_ends` (record_date + withdrawal_days, exclusive). Null: none.
    withdrawal_days integer,
    withdrawal_ends text,
    created_by integer references users (id) on delete set null,
    created_at integer not null
);
create index health_records_animal_idx on health_records (animal_id, record_date, id);
create index health_records_type_idx on health_records (animal_id, record_type);
create index health_records_withdrawal_idx on health_records (animal_id, withdrawal_ends);

-- Parent changes take this row's write lock first, so two writes that would each close half
-- of a cycle run one after the other and the second sees the first.
create table livestock_locks (
    name text primary key,
    version integer not null
);
insert into livestock_locks (name, version) values ('lineage', 0);
