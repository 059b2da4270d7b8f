-- History pages and search at a million orders (docs/BENCHMARKS.md).

-- Profile and status together: a page of one profile's pending orders no longer
-- walks all of that profile's history to find them.
CREATE INDEX orders_profile_status_created ON orders(profile_id, status, created_at DESC, id DESC);

-- Prefix search on the order number, the payee and the gateway's order id.
-- LIKE ignores ASCII case, so only an index kept in NOCASE order serves it;
-- created_at rides along so the matches are put in time order from the index
-- alone, reading only the rows that end up on the page.
CREATE INDEX orders_order_no_search ON orders(order_no COLLATE NOCASE, created_at);
CREATE INDEX orders_payee_search ON orders(payee_name COLLATE NOCASE, created_at);
CREATE INDEX orders_provider_order_id_search ON orders(provider_order_id COLLATE NOCASE, created_at)
    WHERE provider_order_id IS NOT NULL;
