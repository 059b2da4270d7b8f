-- Batched writes behind the trigram index (issue 9: >= 20,000 orders/s at
-- 1M with the substring search of issue 14). Indexing a batch's rows costs
-- about three times the rest of its write (docs/BENCHMARKS.md, "Batched
-- writes with the index behind"), so a batch (store/orders.rs,
-- `insert_orders_batch`) no longer indexes its rows in its transaction: it
-- lists their ids here, and the store indexes them in chunks when the
-- writes pause (store/search.rs, `Indexer`), and at open for a process that
-- ended first. A search unites the index's matches with the listed rows,
-- each tested on its row as every candidate is, so it finds exactly what it
-- finds once they are indexed. Single creates, updates and deletes keep the
-- index in step through the triggers as before, except for a listed row:
-- it is not in the index yet, so its update or delete must not touch the
-- index (an external-content FTS5 table would remove postings it never
-- had); its indexing reads its text as it is then.
CREATE TABLE order_search_pending (
    id INTEGER PRIMARY KEY
);

DROP TRIGGER orders_search_update_old;
DROP TRIGGER orders_search_update_new;
DROP TRIGGER orders_search_delete;

CREATE TRIGGER orders_search_update_old BEFORE UPDATE OF id, order_no, payee_name, account_no ON orders
WHEN NOT EXISTS (SELECT 1 FROM order_search_pending WHERE id = OLD.id)
BEGIN
    INSERT INTO order_search (order_search, rowid, order_no, payee_name, account_no, order_head)
    SELECT 'delete', id, order_no, payee_name, account_no, order_head FROM order_search_rows WHERE id = OLD.id;
END;

CREATE TRIGGER orders_search_update_new AFTER UPDATE OF id, order_no, payee_name, account_no ON orders
WHEN NOT EXISTS (SELECT 1 FROM order_search_pending WHERE id = NEW.id)
    AND NOT EXISTS (SELECT 1 FROM order_search_pending WHERE id = OLD.id)
BEGIN
    INSERT INTO order_search (rowid, order_no, payee_name, account_no, order_head)
    SELECT id, order_no, payee_name, account_no, order_head FROM order_search_rows WHERE id = NEW.id;
END;

-- A listed row whose id changes stays listed under its new id.
CREATE TRIGGER orders_search_pending_move AFTER UPDATE OF id ON orders
WHEN EXISTS (SELECT 1 FROM order_search_pending WHERE id = OLD.id)
BEGIN
    DELETE FROM order_search_pending WHERE id = OLD.id;
    INSERT OR IGNORE INTO order_search_pending (id) VALUES (NEW.id);
END;

CREATE TRIGGER orders_search_delete BEFORE DELETE ON orders
WHEN NOT EXISTS (SELECT 1 FROM order_search_pending WHERE id = OLD.id)
BEGIN
    INSERT INTO order_search (order_search, rowid, order_no, payee_name, account_no, order_head)
    SELECT 'delete', id, order_no, payee_name, account_no, order_head FROM order_search_rows WHERE id = OLD.id;
END;

-- A deleted row leaves the list too: a later row given its id (SQLite may
-- reuse the highest) is indexed by its own writer, never twice.
CREATE TRIGGER orders_search_pending_delete AFTER DELETE ON orders
WHEN EXISTS (SELECT 1 FROM order_search_pending WHERE id = OLD.id)
BEGIN
    DELETE FROM order_search_pending WHERE id = OLD.id;
END;
