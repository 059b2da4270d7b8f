-- History pages of a search past the newest rows, read newest first instead
-- of every match being read and sorted (store/pg/search.rs). A trigram (GIN)
-- index answers its matches in no order, and so did a prefix's range of the
-- folded values: a term with many old matches (a month's order numbers,
-- 59,000; 张伟, 4,000) had each of them read from the table.
--
-- Heads in time order: a column's first characters, folded as in 0011, then
-- (created_at, id). A prefix as long as the head or longer is one head,
-- walked newest first and stopped after a page; a shorter one is the heads
-- in its range (a month of our numbers: 31 days), each walked so, merged.
-- The same index still serves a prefix's range of heads when there are too
-- many of them to walk. The names of 0011 stay: still the folded prefix.
--   The number's first 9 characters: our PD, kind letter and yyMMdd.
--   The payee's first 2: a surname and the given name's first character.
DROP INDEX orders_order_no_fold;
DROP INDEX orders_payee_fold;
CREATE INDEX orders_order_no_fold ON orders (lower(left(order_no, 9) COLLATE "C"), created_at, id);
CREATE INDEX orders_payee_fold ON orders (lower(left(payee_name, 2) COLLATE "C"), created_at, id);

-- 3+ characters in a number: at its start (the heads above), or past its
-- first character, here. So the many matches at the start of numbers (a
-- month's) are no longer candidates of the trigram index as well.
DROP INDEX orders_order_no_trgm;
CREATE INDEX orders_order_no_trgm ON orders USING gin (lower(substr(order_no, 2) COLLATE "C") gin_trgm_ops);
