-- Maker-checker (issue 13): payouts at or above a profile's threshold wait for
-- a checker's approval. Team mode (PostgreSQL) only: on this single-desk file
-- the services refuse to set it, so it stays NULL here; the column exists so a
-- profile reads the same on both engines. The orders table's status CHECK
-- keeps `awaiting_approval` and `rejected` out of this file altogether.
ALTER TABLE profiles ADD COLUMN approval_threshold_fen INTEGER
    CHECK (approval_threshold_fen IS NULL OR approval_threshold_fen >= 0);
