-- Batch payouts (issue 11): one imported file, and one row per line of it.
-- Profiles are named by their public uuid text and orders by `orders.id` only,
-- without foreign keys: the orders and profiles tables may be rebuilt by later
-- migrations, and a batch must not stand in their way.
CREATE TABLE batches (
    id            INTEGER PRIMARY KEY,
    profile_uuid  TEXT NOT NULL,
    profile_name  TEXT NOT NULL,
    provider      TEXT NOT NULL,
    kind          TEXT NOT NULL DEFAULT 'payout',
    file_name     TEXT NOT NULL,
    -- SHA-256 of the file's bytes: the same file imported twice is noticed.
    file_hash     TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('draft', 'invalid', 'running', 'paused', 'done', 'cancelled')),
    row_count     INTEGER NOT NULL,
    valid_rows    INTEGER NOT NULL,
    total_fen     INTEGER NOT NULL,
    -- JSON: the file's header cells, in order (the export repeats them).
    columns       TEXT NOT NULL DEFAULT '[]',
    errors        TEXT NOT NULL DEFAULT '[]',
    warnings      TEXT NOT NULL DEFAULT '[]',
    pause_reason  TEXT,
    created_by    TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX batches_created ON batches(created_at DESC, id DESC);
CREATE INDEX batches_file_hash ON batches(file_hash);

CREATE TABLE batch_rows (
    batch_id          INTEGER NOT NULL REFERENCES batches(id),
    -- The line's number in the file (the header is row 1).
    row_no            INTEGER NOT NULL,
    -- Assigned at import, before anything is sent: the key of exactly-once.
    order_no          TEXT NOT NULL,
    amount_fen        INTEGER NOT NULL,
    -- JSON: validated form values by field id.
    fields            TEXT NOT NULL DEFAULT '{}',
    -- JSON: the row's cells as read from the file, in column order.
    cells             TEXT NOT NULL DEFAULT '[]',
    status            TEXT NOT NULL CHECK (status IN ('invalid', 'queued', 'sending', 'pending', 'processing', 'succeeded', 'failed', 'unknown', 'cancelled')),
    order_id          INTEGER,
    provider_order_id TEXT,
    message           TEXT,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (batch_id, row_no)
) WITHOUT ROWID;
CREATE INDEX batch_rows_status ON batch_rows(batch_id, status);
CREATE INDEX batch_rows_order_no ON batch_rows(order_no);
