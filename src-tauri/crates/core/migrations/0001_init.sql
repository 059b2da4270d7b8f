-- Merchant profiles: settings only. Secrets live in the OS keyring, keyed by id.
CREATE TABLE profiles (
    id              TEXT PRIMARY KEY,
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
-- A name is unique among live profiles; removed ones keep their history.
CREATE UNIQUE INDEX profiles_live_name ON profiles(name) WHERE removed_at IS NULL;

CREATE TABLE orders (
    id                INTEGER PRIMARY KEY,
    profile_id        TEXT NOT NULL REFERENCES profiles(id),
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
    updated_at        INTEGER NOT NULL,
    UNIQUE (profile_id, order_no)
);
CREATE INDEX orders_order_no ON orders(order_no);
CREATE INDEX orders_provider_order_id ON orders(provider_order_id) WHERE provider_order_id IS NOT NULL;
-- History pages are keyed by (created_at, id) descending, filtered by profile, status, kind.
CREATE INDEX orders_created ON orders(created_at DESC, id DESC);
CREATE INDEX orders_profile_created ON orders(profile_id, created_at DESC, id DESC);
CREATE INDEX orders_status_created ON orders(status, created_at DESC, id DESC);
CREATE INDEX orders_open ON orders(status) WHERE status NOT IN ('succeeded', 'failed');

-- Every status change and every exchange with the gateway (secrets masked).
CREATE TABLE order_events (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders(id),
    at               INTEGER NOT NULL,
    action           TEXT NOT NULL,
    status           TEXT NOT NULL,
    provider_status  TEXT,
    provider_message TEXT,
    message          TEXT,
    error_code       TEXT,
    exchanges        TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX order_events_order ON order_events(order_id, id);

CREATE TABLE balance_readings (
    id          INTEGER PRIMARY KEY,
    profile_id  TEXT NOT NULL REFERENCES profiles(id),
    at          INTEGER NOT NULL,
    balance_fen INTEGER NOT NULL,
    details     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX balance_readings_profile ON balance_readings(profile_id, at DESC);

-- Who (the OS user) did what, when. Append-only: enforced below.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    os_user TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT,
    detail  TEXT
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
