-- Glyphs: the character repertoire of the hanzi decomposition system.
-- Each character is one row keyed by its code point; `data` is the Character's JSON with the
-- code point itself left out and referenced characters (`source`, `operandList`) written as
-- numbers (code points). `glyph_references` lists every (from, to) reference so that "delete
-- refused while referenced" and renumbering are plain queries.

create table glyph_characters (
    unicode bigint primary key,
    data text not null,
    created_at bigint not null,
    updated_at bigint not null
);

create table glyph_references (
    from_unicode bigint not null references glyph_characters (unicode) on delete cascade on update cascade,
    to_unicode bigint not null,
    primary key (from_unicode, to_unicode)
);
create index glyph_references_to_idx on glyph_references (to_unicode);
