-- Substring search (issue 14 item 10): any part of an order number, a payee
-- (or payer) name or an account number, across the whole history, within
-- the history-page target at a million orders (docs/BENCHMARKS.md).
--
-- A trigram index (FTS5) sized to fit the 450 MB per million of issue 9:
-- external content (the text is read from `orders` through the view below,
-- never stored twice), `detail=none` (no positions: a term is found as rows
-- holding all of its trigrams, then each candidate is tested on its `orders`
-- row) and `columnsize=0` (no per-row sizes, which only ranking needs).
-- About 47 MB per million orders.
--
-- A two-character term (a two-character Chinese name, a given name) is
-- shorter than a trigram: the start of a name is the payee prefix index's;
-- for the inside and the end, a name of 3 to 6 characters is indexed with
-- its pairs after the first character, each followed by U+0001 (after a
-- U+0002 that ends the name), so `XY` there is one trigram, `XY␁`.

-- Order-number prefixes are substrings now: the bucket index (0003) goes,
-- which pays for the trigram index. Terms shorter than a trigram use the
-- unique index (number first) for a prefix of the number. Dropped first, so
-- the index below is built in the pages it frees.
DROP INDEX orders_order_no_bucket;

CREATE VIEW order_search_rows AS
SELECT id, order_no,
    CASE WHEN payee_name IS NOT NULL THEN
        payee_name
        || iif(length(payee_name) BETWEEN 3 AND 6, char(2) || substr(payee_name, 2, 2) || char(1), '')
        || iif(length(payee_name) BETWEEN 4 AND 6, substr(payee_name, 3, 2) || char(1), '')
        || iif(length(payee_name) BETWEEN 5 AND 6, substr(payee_name, 4, 2) || char(1), '')
        || iif(length(payee_name) = 6, substr(payee_name, 5, 2) || char(1), '')
    END AS payee_name,
    account_no
FROM orders;

CREATE VIRTUAL TABLE order_search USING fts5(
    order_no, payee_name, account_no,
    tokenize = 'trigram', detail = none, columnsize = 0,
    content = 'order_search_rows', content_rowid = 'id'
);
INSERT INTO order_search (order_search) VALUES ('rebuild');

-- Kept in step by triggers, so every writer (the store, batches, sync, a
-- later migration's copy) keeps it. An external-content index forgets a row
-- by the text it was indexed with: read through the view before the change.
CREATE TRIGGER orders_search_insert AFTER INSERT ON orders BEGIN
    INSERT INTO order_search (rowid, order_no, payee_name, account_no)
    SELECT id, order_no, payee_name, account_no FROM order_search_rows WHERE id = NEW.id;
END;

CREATE TRIGGER orders_search_update_old BEFORE UPDATE OF id, order_no, payee_name, account_no ON orders BEGIN
    INSERT INTO order_search (order_search, rowid, order_no, payee_name, account_no)
    SELECT 'delete', id, order_no, payee_name, account_no FROM order_search_rows WHERE id = OLD.id;
END;

CREATE TRIGGER orders_search_update_new AFTER UPDATE OF id, order_no, payee_name, account_no ON orders BEGIN
    INSERT INTO order_search (rowid, order_no, payee_name, account_no)
    SELECT id, order_no, payee_name, account_no FROM order_search_rows WHERE id = NEW.id;
END;

CREATE TRIGGER orders_search_delete BEFORE DELETE ON orders BEGIN
    INSERT INTO order_search (order_search, rowid, order_no, payee_name, account_no)
    SELECT 'delete', id, order_no, payee_name, account_no FROM order_search_rows WHERE id = OLD.id;
END;

-- The index yields matches by row id, newest id first, and a search stops
-- after a page: that is the history's order (created_at, id) only while ids
-- grow with time, as they do when orders are written as they are created.
-- A row written with an older time than an existing one (a clock set back,
-- an import) clears `time_ordered`, and searches then sort every match by
-- time instead: slower, never wrong.
CREATE TABLE order_search_state (
    one          INTEGER PRIMARY KEY CHECK (one = 1),
    time_ordered INTEGER NOT NULL
);
INSERT INTO order_search_state (one, time_ordered)
SELECT 1, NOT EXISTS (
    SELECT 1 FROM (
        SELECT created_at, max(created_at) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
        FROM orders
    ) WHERE created_at < before
);

CREATE TRIGGER orders_time_order_insert AFTER INSERT ON orders
WHEN NEW.created_at < (SELECT max(created_at) FROM orders)
    OR NEW.id < (SELECT max(id) FROM orders)
BEGIN
    UPDATE order_search_state SET time_ordered = 0;
END;

CREATE TRIGGER orders_time_order_update AFTER UPDATE OF id, created_at ON orders BEGIN
    UPDATE order_search_state SET time_ordered = 0;
END;
