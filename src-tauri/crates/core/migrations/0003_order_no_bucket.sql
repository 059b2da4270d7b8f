-- An order-number prefix that names a period matches many orders bunched in
-- time: our generated numbers are PD + kind + yyMM…, so `PDP2410` is every
-- payout of a month, and merchants' own numbers usually start with a date too.
-- The prefix index holds them in number order, so finding the newest of them
-- meant reading all of them. Here the first seven characters are a bucket
-- kept in time order: such a search reads its newest matches first and stops
-- after a page. order_no rides along so the whole prefix is tested on the
-- index alone. (docs/BENCHMARKS.md: a month's prefix at 1M orders.)
CREATE INDEX orders_order_no_bucket ON orders(substr(order_no, 1, 7) COLLATE NOCASE, created_at, order_no);
