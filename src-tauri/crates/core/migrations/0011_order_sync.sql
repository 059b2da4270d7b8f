-- Background sync (issue 12): when each open order was last asked about at its
-- gateway, when it is asked next, and why the last check ended as it did.
-- Keyed by orders.id only, so the orders table can change shape around it.
-- An open order without a row here has never been checked: it is due at its
-- creation plus the schedule's first step.
CREATE TABLE order_sync (
    order_id        INTEGER PRIMARY KEY REFERENCES orders(id),
    last_checked_at INTEGER,
    -- NULL: no more checks (final, or past the schedule's end).
    next_check_at   INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_reason     TEXT,
    last_error_code TEXT,
    -- When the order was first reported stuck (reported once).
    stuck_at        INTEGER
);
CREATE INDEX order_sync_next ON order_sync(next_check_at) WHERE next_check_at IS NOT NULL;

-- Per-profile sync settings; a profile without a row uses the defaults.
CREATE TABLE profile_sync (
    profile_id            TEXT PRIMARY KEY REFERENCES profiles(id),
    -- At most this many queries at once to this profile's gateway.
    max_concurrent        INTEGER NOT NULL DEFAULT 4 CHECK (max_concurrent BETWEEN 1 AND 64),
    -- An open order older than this is stuck (ms).
    stuck_payout_ms       INTEGER NOT NULL DEFAULT 1800000 CHECK (stuck_payout_ms > 0),
    stuck_deposit_ms      INTEGER NOT NULL DEFAULT 7200000 CHECK (stuck_deposit_ms > 0)
);
