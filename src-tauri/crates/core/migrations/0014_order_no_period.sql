-- Order-number prefixes that name a period (issue 14 item 10, follow-up of
-- 0012): `PDP2410` is every payout of a month, `pdd241115` of a day. Found
-- on the trigram index alone, a page had to test every newer row holding
-- the same trigrams apart (31-34 ms at a million orders, docs/BENCHMARKS.md).
-- The first seven characters, kept in time order, give such a search its
-- bucket's newest matches first; the trigram index then only has to look
-- above the page's oldest row. Slimmer than 0003's bucket index (no
-- order_no copy: a term longer than a bucket is tested on the row the page
-- reads anyway): about 25 MB per million, within the 450 MB cap.
CREATE INDEX orders_order_no_period ON orders(substr(order_no, 1, 7) COLLATE NOCASE, created_at);
