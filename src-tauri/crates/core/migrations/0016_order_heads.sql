-- Order-number starts without stepping through the trigram index (issue 9:
-- "every history page no worse than" ff267ba; docs/BENCHMARKS.md).
--
-- A small summary of the numbers' heads: the first nine characters (PD +
-- kind + yyMMdd for PayDesk's own numbers: a day of one kind), ASCII in
-- upper case as LIKE compares them, with the lowest and the highest id of
-- the orders written with it. Every number that starts with a term lies in
-- the id ranges of the heads that start with it (or, for a term longer than
-- nine characters, of the one head it starts with), so a search reads those
-- ranges newest first and skips every head older or newer than its page
-- (store/search.rs, `plan_starts`). A few hundred rows a year.
--
-- The ranges are kept a superset: a write adds to them, a delete or a
-- changed number leaves its old head as it was (never a missed order, at
-- worst a range read in vain). A batch of orders (store/orders.rs) adds its
-- heads with one statement after its inserts (`index_rows_in`, while the
-- per-row triggers are off); every other writer through the triggers.

CREATE TABLE order_heads (
    head TEXT PRIMARY KEY,
    lo INTEGER NOT NULL,
    hi INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO order_heads (head, lo, hi)
SELECT upper(substr(order_no, 1, 9)), min(id), max(id) FROM orders WHERE true GROUP BY 1;

CREATE TRIGGER orders_heads_insert AFTER INSERT ON orders
WHEN (SELECT deferred FROM order_search_state) IS NOT 1
BEGIN
    INSERT INTO order_heads (head, lo, hi) VALUES (upper(substr(NEW.order_no, 1, 9)), NEW.id, NEW.id)
    ON CONFLICT (head) DO UPDATE SET lo = min(lo, excluded.lo), hi = max(hi, excluded.hi);
END;

CREATE TRIGGER orders_heads_update AFTER UPDATE OF id, order_no ON orders BEGIN
    INSERT INTO order_heads (head, lo, hi) VALUES (upper(substr(NEW.order_no, 1, 9)), NEW.id, NEW.id)
    ON CONFLICT (head) DO UPDATE SET lo = min(lo, excluded.lo), hi = max(hi, excluded.hi);
END;
