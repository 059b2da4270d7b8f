-- Substring search on PostgreSQL: exactly what the SQLite store finds
-- (its migration 0012 and store/search.rs), planned in store/pg/search.rs.
--   3+ characters: anywhere in the order number, the payee (or payer) name
--                  or the account number; the start of the gateway order id.
--   2 characters:  the start of the number, the gateway id or the payee, and
--                  anywhere in a payee name of 3 to 6 characters.
--   1 character:   the start of the number, the gateway id or the payee.
-- ASCII letters in either case, other characters as they are: SQLite's LIKE.
-- Here that is lower() in the C collation, which folds only A-Z (the
-- database's own collation would fold other letters too, and a query with a
-- parameter can take a B-tree range only on a C-ordered expression).

-- pg_trgm ships with PostgreSQL and is a trusted extension (PostgreSQL 13+):
-- the database owner may create it (`team init` with the owner's login), no
-- superuser needed. pg_trgm keeps only letters and digits of the database's
-- LC_CTYPE in its trigrams; with a UTF-8 LC_CTYPE Chinese names are letters.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The prefix indexes of 0001 folded case with the database's collation, and
-- the bucket index served number prefixes: both give way to the folded
-- indexes below (a number prefix of 3+ characters is a substring now).
DROP INDEX orders_order_no_search;
DROP INDEX orders_payee_search;
DROP INDEX orders_provider_order_id_search;
DROP INDEX orders_order_no_bucket;

-- Prefixes of 1-2 characters (and the gateway id's at any length): B-tree
-- ranges on the folded value.
CREATE INDEX orders_order_no_fold ON orders (lower(order_no COLLATE "C"));
CREATE INDEX orders_payee_fold ON orders (lower(payee_name COLLATE "C"));
CREATE INDEX orders_provider_order_id_fold ON orders (lower(provider_order_id COLLATE "C"))
    WHERE provider_order_id IS NOT NULL;

-- Terms of 3+ characters: trigram indexes; every candidate is tested on its
-- row (LIKE '%term%'), so they only narrow.
CREATE INDEX orders_order_no_trgm ON orders USING gin (lower(order_no COLLATE "C") gin_trgm_ops);
CREATE INDEX orders_payee_trgm ON orders USING gin (lower(payee_name COLLATE "C") gin_trgm_ops);
CREATE INDEX orders_account_no_trgm ON orders USING gin (lower(account_no COLLATE "C") gin_trgm_ops);

-- Two characters inside or at the end of a payee name of 3 to 6 characters
-- (a given name like 国平, the inner pair of 欧阳娜娜): the name's pairs after
-- its first character, folded; the start of a name is the prefix index's.
-- SQLite's marked pairs in its trigram index, as an array here.
CREATE FUNCTION paydesk_name_pairs(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN char_length(name) BETWEEN 3 AND 6 THEN
        (ARRAY[lower(substr(name, 2, 2) COLLATE "C"), lower(substr(name, 3, 2) COLLATE "C"),
               lower(substr(name, 4, 2) COLLATE "C"), lower(substr(name, 5, 2) COLLATE "C")])[1:char_length(name) - 2]
    ELSE '{}'::text[] END
$$;
CREATE INDEX orders_payee_pairs ON orders USING gin (paydesk_name_pairs(payee_name));
