-- Order-number prefixes as fast as before the reshaping (issue 9: "every
-- history page no worse than today"), with substring search unchanged
-- (issue 14), and batches indexed set-based (docs/BENCHMARKS.md).
--
-- 1. The trigram index holds an order number without its first character,
--    and its first nine characters (PD + kind + yyMMdd: a day of one kind)
--    once more as a column of their own, each character moved into the
--    Private Use Area (ASCII only, upper case: U+E000 + the code). A term
--    found anywhere in a number is either at its start (then its first
--    characters are trigrams of that head, which only starts hold) or after
--    it (then it is in the number without its first character). Before,
--    the trigrams of `PDP2410` were in nearly every number of the two newer
--    months too (`410` anywhere in them) and each such row was read to
--    be refused; now a start is asked of heads only, and the anywhere part
--    no longer holds the `PDP` every payout starts with.
-- 2. A batch of orders (store/orders.rs) indexes its rows with one
--    statement after its inserts instead of a trigger body per row, and
--    checks the time order once: `order_search_state.deferred` is set for
--    the length of that transaction only. Every other writer (single
--    creates, updates, deletes, a later migration, a hand-written
--    statement) is kept in step by the triggers, as before.
--
-- The index is built again from the rows (about 90 s per million orders,
-- once).

DROP TRIGGER orders_search_insert;
DROP TRIGGER orders_search_update_old;
DROP TRIGGER orders_search_update_new;
DROP TRIGGER orders_search_delete;
DROP TRIGGER orders_time_order_insert;
DROP TABLE order_search;
DROP VIEW order_search_rows;

CREATE VIEW order_search_rows AS
SELECT id,
    substr(order_no, 2) AS order_no,
    CASE WHEN payee_name IS NOT NULL THEN
        payee_name
        || iif(length(payee_name) BETWEEN 3 AND 6, char(2) || substr(payee_name, 2, 2) || char(1), '')
        || iif(length(payee_name) BETWEEN 4 AND 6, substr(payee_name, 3, 2) || char(1), '')
        || iif(length(payee_name) BETWEEN 5 AND 6, substr(payee_name, 4, 2) || char(1), '')
        || iif(length(payee_name) = 6, substr(payee_name, 5, 2) || char(1), '')
    END AS payee_name,
    account_no,
    iif(unicode(substr(order_no, 1, 1)) < 128, char(57344 + unicode(upper(substr(order_no, 1, 1)))), substr(order_no, 1, 1))
    || iif(unicode(substr(order_no, 2, 1)) < 128, char(57344 + unicode(upper(substr(order_no, 2, 1)))), substr(order_no, 2, 1))
    || iif(unicode(substr(order_no, 3, 1)) < 128, char(57344 + unicode(upper(substr(order_no, 3, 1)))), substr(order_no, 3, 1))
    || iif(unicode(substr(order_no, 4, 1)) < 128, char(57344 + unicode(upper(substr(order_no, 4, 1)))), substr(order_no, 4, 1))
    || iif(unicode(substr(order_no, 5, 1)) < 128, char(57344 + unicode(upper(substr(order_no, 5, 1)))), substr(order_no, 5, 1))
    || iif(unicode(substr(order_no, 6, 1)) < 128, char(57344 + unicode(upper(substr(order_no, 6, 1)))), substr(order_no, 6, 1))
    || iif(unicode(substr(order_no, 7, 1)) < 128, char(57344 + unicode(upper(substr(order_no, 7, 1)))), substr(order_no, 7, 1))
    || iif(unicode(substr(order_no, 8, 1)) < 128, char(57344 + unicode(upper(substr(order_no, 8, 1)))), substr(order_no, 8, 1))
    || iif(unicode(substr(order_no, 9, 1)) < 128, char(57344 + unicode(upper(substr(order_no, 9, 1)))), substr(order_no, 9, 1))
    AS order_head
FROM orders;

CREATE VIRTUAL TABLE order_search USING fts5(
    order_no, payee_name, account_no, order_head,
    tokenize = 'trigram', detail = none, columnsize = 0,
    content = 'order_search_rows', content_rowid = 'id'
);
INSERT INTO order_search (order_search) VALUES ('rebuild');

ALTER TABLE order_search_state ADD COLUMN deferred INTEGER NOT NULL DEFAULT 0;

-- As in 0012; `IS NOT 1` so that a missing state row indexes, never skips.
CREATE TRIGGER orders_search_insert AFTER INSERT ON orders
WHEN (SELECT deferred FROM order_search_state) IS NOT 1
BEGIN
    INSERT INTO order_search (rowid, order_no, payee_name, account_no, order_head)
    SELECT id, order_no, payee_name, account_no, order_head FROM order_search_rows WHERE id = NEW.id;
END;

CREATE TRIGGER orders_search_update_old BEFORE UPDATE OF id, order_no, payee_name, account_no ON orders BEGIN
    INSERT INTO order_search (order_search, rowid, order_no, payee_name, account_no, order_head)
    SELECT 'delete', id, order_no, payee_name, account_no, order_head FROM order_search_rows WHERE id = OLD.id;
END;

CREATE TRIGGER orders_search_update_new AFTER UPDATE OF id, order_no, payee_name, account_no ON orders BEGIN
    INSERT INTO order_search (rowid, order_no, payee_name, account_no, order_head)
    SELECT id, order_no, payee_name, account_no, order_head FROM order_search_rows WHERE id = NEW.id;
END;

CREATE TRIGGER orders_search_delete BEFORE DELETE ON orders BEGIN
    INSERT INTO order_search (order_search, rowid, order_no, payee_name, account_no, order_head)
    SELECT 'delete', id, order_no, payee_name, account_no, order_head FROM order_search_rows WHERE id = OLD.id;
END;

CREATE TRIGGER orders_time_order_insert AFTER INSERT ON orders
WHEN (SELECT deferred FROM order_search_state) IS NOT 1
    AND (NEW.created_at < (SELECT max(created_at) FROM orders)
        OR NEW.id < (SELECT max(id) FROM orders))
BEGIN
    UPDATE order_search_state SET time_ordered = 0;
END;
