-- livestock and trade: the gram triggers of migrations `…33` (farms, animals) and `…43` (trade orders)
-- run without the JIT.
--
-- Each runs one small INSERT … SELECT per row written, joining `search_gram_widths` (three
-- rows). Autovacuum never analyses a table that small (its threshold is 50 changed rows), so
-- the planner took its default size for it, estimated the statement at about 1.5 million rows
-- and a cost over `jit_above_cost`, and compiled it with the JIT for every row: about 6 ms an
-- animal, 5 ms a farm, where the statement itself takes well under a millisecond (a bulk seed
-- of 10,000 rows of each kind: 77 s before, 4 s after). The statistics make the estimate
-- right; `jit = off` on the functions keeps them cheap on a database restored or copied
-- without statistics too.
analyze search_gram_widths;
alter function farm_grams_write() set jit = off;
alter function animal_grams_write() set jit = off;
alter function trade_order_grams_write() set jit = off;
