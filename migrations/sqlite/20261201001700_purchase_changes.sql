-- A change counter per owner, raised with every create, replace and delete of one of their
-- orders (src/domain/purchase/store.rs): kept search matches are used only while it is unchanged.
alter table purchase_order_counts add column changes integer not null default 0;
