-- Schema v2: smaller and faster at a million orders (docs/BENCHMARKS.md).
--
-- 1. Profiles get an integer key inside the database (`pk`); the UUID `id`
--    stays the profile's public, stable id and its keyring key. Orders and
--    balance readings refer to `profile_pk`: the 36-character UUID text was
--    repeated in every order row and in the three largest indexes.
-- 2. Only indexes that a query plan uses (each proved by an EXPLAIN QUERY
--    PLAN test in store/indexes.rs), in ascending order (a backward scan
--    reads them newest first; new rows append at the end, so pages fill
--    instead of splitting in half), without the rowid spelled out (every
--    index ends with it).
--    Dropped: orders_order_no_search (the bucket index answers order-number
--    prefixes), orders_status_created and orders_profile_status_created
--    (a final status is most rows, read on the time indexes; the open ones
--    have partial indexes), the separate order-number index (the unique
--    one leads with the number now).
-- The tables are rebuilt, children first dropped, so every foreign key holds
-- at each step; row ids (orders, events, readings, audit) are kept.

CREATE TABLE profiles_v2 (
    pk              INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    provider        TEXT NOT NULL,
    base_url        TEXT NOT NULL,
    merchant_id     TEXT NOT NULL DEFAULT '',
    app_id          TEXT,
    operator_id     TEXT,
    notify_url      TEXT,
    return_url      TEXT,
    has_reply_secret INTEGER NOT NULL DEFAULT 0,
    sandbox         INTEGER NOT NULL DEFAULT 0,
    low_balance_fen INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    removed_at      INTEGER
);
INSERT INTO profiles_v2 (id, name, provider, base_url, merchant_id, app_id, operator_id, notify_url, return_url, has_reply_secret, sandbox, low_balance_fen, created_at, updated_at, removed_at)
SELECT id, name, provider, base_url, merchant_id, app_id, operator_id, notify_url, return_url, has_reply_secret, sandbox, low_balance_fen, created_at, updated_at, removed_at
FROM profiles ORDER BY created_at, id;

CREATE TABLE orders_v2 (
    id                INTEGER PRIMARY KEY,
    profile_pk        INTEGER NOT NULL REFERENCES profiles_v2(pk),
    order_no          TEXT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('payout', 'deposit')),
    amount_fen        INTEGER NOT NULL CHECK (amount_fen > 0),
    channel           TEXT,
    payee_name        TEXT,
    account_no        TEXT,
    bank_name         TEXT,
    fields            TEXT NOT NULL DEFAULT '{}',
    status            TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'failed', 'unknown')),
    provider_status   TEXT,
    provider_message  TEXT,
    provider_order_id TEXT,
    pay_url           TEXT,
    card              TEXT,
    extra             TEXT,
    message           TEXT,
    created_by        TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
INSERT INTO orders_v2 (id, profile_pk, order_no, kind, amount_fen, channel, payee_name, account_no, bank_name, fields, status, provider_status, provider_message, provider_order_id, pay_url, card, extra, message, created_by, created_at, updated_at)
SELECT o.id, p.pk, o.order_no, o.kind, o.amount_fen, o.channel, o.payee_name, o.account_no, o.bank_name, o.fields, o.status, o.provider_status, o.provider_message, o.provider_order_id, o.pay_url, o.card, o.extra, o.message, o.created_by, o.created_at, o.updated_at
FROM orders o JOIN profiles_v2 p ON p.id = o.profile_id ORDER BY o.id;

CREATE TABLE order_events_v2 (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders_v2(id),
    at               INTEGER NOT NULL,
    action           TEXT NOT NULL,
    status           TEXT NOT NULL,
    provider_status  TEXT,
    provider_message TEXT,
    message          TEXT,
    error_code       TEXT,
    exchanges        TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO order_events_v2 (id, order_id, at, action, status, provider_status, provider_message, message, error_code, exchanges)
SELECT id, order_id, at, action, status, provider_status, provider_message, message, error_code, exchanges
FROM order_events ORDER BY id;

CREATE TABLE balance_readings_v2 (
    id          INTEGER PRIMARY KEY,
    profile_pk  INTEGER NOT NULL REFERENCES profiles_v2(pk),
    at          INTEGER NOT NULL,
    balance_fen INTEGER NOT NULL,
    details     TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO balance_readings_v2 (id, profile_pk, at, balance_fen, details)
SELECT b.id, p.pk, b.at, b.balance_fen, b.details
FROM balance_readings b JOIN profiles_v2 p ON p.id = b.profile_id ORDER BY b.id;

DROP TABLE balance_readings;
DROP TABLE order_events;
DROP TABLE orders;
DROP TABLE profiles;
ALTER TABLE profiles_v2 RENAME TO profiles;
ALTER TABLE orders_v2 RENAME TO orders;
ALTER TABLE order_events_v2 RENAME TO order_events;
ALTER TABLE balance_readings_v2 RENAME TO balance_readings;

-- A name is unique among live profiles; removed ones keep their history.
CREATE UNIQUE INDEX profiles_live_name ON profiles(name) WHERE removed_at IS NULL;

-- A number is unique per profile; leading with the number, the same index
-- finds an order by number across profiles.
CREATE UNIQUE INDEX orders_order_no ON orders(order_no, profile_pk);
CREATE INDEX orders_provider_order_id ON orders(provider_order_id) WHERE provider_order_id IS NOT NULL;
-- History pages, newest first: all orders, one profile.
CREATE INDEX orders_created ON orders(created_at);
CREATE INDEX orders_profile_created ON orders(profile_pk, created_at);
-- Open orders (a few percent of the history): to refresh, and pages of one
-- open status, with or without a profile. The query repeats this WHERE.
CREATE INDEX orders_open ON orders(status, created_at) WHERE status NOT IN ('succeeded', 'failed');
CREATE INDEX orders_profile_open ON orders(profile_pk, status, created_at) WHERE status NOT IN ('succeeded', 'failed');
-- Prefix search (LIKE ignores ASCII case, so NOCASE order serves it), with
-- created_at to put matches in time order from the index alone.
CREATE INDEX orders_payee_search ON orders(payee_name COLLATE NOCASE, created_at);
CREATE INDEX orders_provider_order_id_search ON orders(provider_order_id COLLATE NOCASE, created_at)
    WHERE provider_order_id IS NOT NULL;
-- Order numbers: the first seven characters (our PD + kind + yyMM, a month
-- of one kind) in time order, the whole number riding along so any prefix
-- is tested on the index alone (migration 0003; now also the only
-- order-number prefix index).
CREATE INDEX orders_order_no_bucket ON orders(substr(order_no, 1, 7) COLLATE NOCASE, created_at, order_no);

CREATE INDEX order_events_order ON order_events(order_id);
CREATE INDEX balance_readings_profile ON balance_readings(profile_pk, at);
