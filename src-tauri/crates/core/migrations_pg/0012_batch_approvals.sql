-- Maker-checker for batches (issue 13): a batch whose rows include a payout
-- at or above its profile's threshold is stored as `awaiting_approval` and
-- approved (or rejected) as a whole. Its rows are the exact requests it will
-- send. As for single payouts (0010) the rules are the database's, so no
-- client, psql typed by hand included, gets round them:
--   * a batch row's request (number, amount, form values) never changes, and
--     no row joins a batch once it was submitted for approval;
--   * the approval row (maker = the batch's maker as the database stamped it,
--     rows and total as submitted) is written by the database itself when a
--     batch enters `awaiting_approval` (at the import's commit, or later);
--   * the batch leaves `awaiting_approval` only through a decision in
--     `batch_approvals` by a role other than its maker that is a checker
--     (PD001 same operator, PD002 not a checker; PD003 already decided), or
--     by being cancelled while undecided; `rejected` is final;
--   * a payout at or above the threshold may be written as anything but
--     awaiting only as a claimed (`sending`) row of an approved, running
--     batch of its profile, for the same number, amount, account and payee.

DO $$
DECLARE c text;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'batches'::regclass AND contype = 'c'
               AND pg_get_constraintdef(oid) LIKE '%state%'
    LOOP
        EXECUTE format('ALTER TABLE batches DROP CONSTRAINT %I', c);
    END LOOP;
END $$;
ALTER TABLE batches ADD CONSTRAINT batches_state_check CHECK (state IN
    ('draft', 'invalid', 'running', 'paused', 'done', 'cancelled', 'awaiting_approval', 'rejected'));

CREATE TABLE batch_approvals (
    batch_id   BIGINT PRIMARY KEY REFERENCES batches(id),
    maker      TEXT NOT NULL,
    made_at    BIGINT NOT NULL,
    -- What the checker approves: the valid rows and their total when submitted.
    row_count  BIGINT NOT NULL,
    total_fen  BIGINT NOT NULL,
    decision   TEXT CHECK (decision IN ('approved', 'rejected')),
    checker    TEXT,
    decided_at BIGINT,
    reason     TEXT,
    CHECK ((decision IS NULL) = (checker IS NULL) AND (decision IS NULL) = (decided_at IS NULL)),
    CHECK (decision IS DISTINCT FROM 'rejected' OR length(trim(reason)) > 0),
    CHECK (checker IS DISTINCT FROM maker)
);
CREATE INDEX batch_approvals_open ON batch_approvals(made_at) WHERE decision IS NULL;

-- The approval row, written by the database when a batch is submitted. At
-- the commit (deferred): an import inserts the batch before its rows.
-- Security definer: a maker has no right on batch_approvals.
CREATE FUNCTION paydesk_batch_submitted() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE b RECORD;
BEGIN
    SELECT state, created_by, updated_at INTO b FROM batches WHERE id = NEW.id;
    IF b.state IS DISTINCT FROM 'awaiting_approval'
        OR EXISTS (SELECT 1 FROM batch_approvals WHERE batch_id = NEW.id) THEN
        RETURN NULL;
    END IF;
    INSERT INTO batch_approvals (batch_id, maker, made_at, row_count, total_fen)
    SELECT NEW.id, COALESCE(b.created_by, session_user), b.updated_at, count(*), COALESCE(sum(amount_fen), 0)
    FROM batch_rows WHERE batch_id = NEW.id AND status <> 'invalid';
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER paydesk_batch_submitted AFTER INSERT OR UPDATE OF state ON batches
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.state = 'awaiting_approval')
    EXECUTE FUNCTION paydesk_batch_submitted();

CREATE FUNCTION paydesk_batches_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d TEXT;
BEGIN
    IF (NEW.id, NEW.profile_uuid, NEW.created_by, NEW.created_at)
        IS DISTINCT FROM (OLD.id, OLD.profile_uuid, OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION 'a batch''s profile and maker never change' USING ERRCODE = 'PD004';
    END IF;
    IF NEW.state IS NOT DISTINCT FROM OLD.state THEN
        RETURN NEW;
    END IF;
    IF OLD.state = 'rejected' THEN
        RAISE EXCEPTION 'batch % was rejected: final', OLD.id USING ERRCODE = 'PD004';
    END IF;
    SELECT decision INTO d FROM batch_approvals WHERE batch_id = OLD.id;
    IF NEW.state = 'awaiting_approval' THEN
        IF FOUND OR OLD.state NOT IN ('draft', 'paused') THEN
            RAISE EXCEPTION 'batch % cannot be submitted for approval again', OLD.id USING ERRCODE = 'PD004';
        END IF;
        RETURN NEW;
    END IF;
    -- COALESCE: an undecided (NULL) decision must refuse, not slip through.
    IF (OLD.state = 'awaiting_approval' OR NEW.state = 'rejected') AND NOT COALESCE(
            OLD.state = 'awaiting_approval' AND (
                (d = 'approved' AND NEW.state = 'running') OR
                (d = 'rejected' AND NEW.state = 'rejected') OR
                (d IS NULL AND NEW.state = 'cancelled')), false) THEN
        RAISE EXCEPTION 'batch % leaves awaiting approval only by a checker''s decision', OLD.id
            USING ERRCODE = 'PD004';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER paydesk_batches_update BEFORE UPDATE ON batches
    FOR EACH ROW EXECUTE FUNCTION paydesk_batches_update();

CREATE FUNCTION paydesk_batch_rows_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM batch_approvals WHERE batch_id = NEW.batch_id) THEN
            RAISE EXCEPTION 'batch % was submitted for approval: no row joins it', NEW.batch_id
                USING ERRCODE = 'PD004';
        END IF;
        RETURN NEW;
    END IF;
    IF (NEW.batch_id, NEW.row_no, NEW.order_no, NEW.amount_fen, NEW.fields)
        IS DISTINCT FROM (OLD.batch_id, OLD.row_no, OLD.order_no, OLD.amount_fen, OLD.fields) THEN
        RAISE EXCEPTION 'a batch row''s request never changes' USING ERRCODE = 'PD004';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER paydesk_batch_rows_guard BEFORE INSERT OR UPDATE ON batch_rows
    FOR EACH ROW EXECUTE FUNCTION paydesk_batch_rows_guard();

-- Decisions: once, by a checker (or admin) who is not the batch's maker; the
-- database stamps the checker from the session.
CREATE FUNCTION paydesk_batch_approvals_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.decision IS NOT NULL OR NEW.checker IS NOT NULL OR NEW.decided_at IS NOT NULL THEN
        RAISE EXCEPTION 'an approval starts undecided' USING ERRCODE = 'PD004';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER batch_approvals_insert BEFORE INSERT ON batch_approvals
    FOR EACH ROW EXECUTE FUNCTION paydesk_batch_approvals_insert();

-- One decision rule for payouts and batches (it replaces 0010's, which was
-- for payouts only): once; only the decision, never what was submitted; by a
-- checker (or admin) who is not the maker; the checker stamped from the
-- session, whatever the client wrote.
CREATE FUNCTION paydesk_decide() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    what TEXT := TG_ARGV[0];
    decided TEXT[] := ARRAY['decision', 'checker', 'decided_at', 'reason'];
BEGIN
    IF OLD.decision IS NOT NULL THEN
        RAISE EXCEPTION '% was already %', what, OLD.decision USING ERRCODE = 'PD003';
    END IF;
    IF (to_jsonb(NEW) - decided) IS DISTINCT FROM (to_jsonb(OLD) - decided) OR NEW.decision IS NULL THEN
        RAISE EXCEPTION 'an approval only takes a decision' USING ERRCODE = 'PD004';
    END IF;
    IF session_user = OLD.maker OR current_user = OLD.maker THEN
        RAISE EXCEPTION 'same_operator: % made this % and cannot decide on it', OLD.maker, what
            USING ERRCODE = 'PD001';
    END IF;
    IF NOT (pg_has_role(current_user, 'paydesk_checker', 'MEMBER')
            OR pg_has_role(current_user, 'paydesk_admin', 'MEMBER')) THEN
        RAISE EXCEPTION 'not_checker: % is not a checker', current_user USING ERRCODE = 'PD002';
    END IF;
    NEW.checker := session_user;
    RETURN NEW;
END $$;
DROP TRIGGER order_approvals_decide ON order_approvals;
DROP FUNCTION paydesk_approvals_decide();
CREATE TRIGGER order_approvals_decide BEFORE UPDATE ON order_approvals
    FOR EACH ROW EXECUTE FUNCTION paydesk_decide('payout');
CREATE TRIGGER batch_approvals_decide BEFORE UPDATE ON batch_approvals
    FOR EACH ROW EXECUTE FUNCTION paydesk_decide('batch');

CREATE TRIGGER batch_approvals_keep BEFORE DELETE OR TRUNCATE ON batch_approvals
    FOR EACH STATEMENT EXECUTE FUNCTION paydesk_approvals_keep();

-- Orders (0010's insert rule, widened by one case): a payout at or above the
-- threshold not awaiting approval is the claimed row of an approved batch.
CREATE OR REPLACE FUNCTION paydesk_orders_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE threshold BIGINT; profile TEXT;
BEGIN
    IF NEW.status = 'awaiting_approval' THEN
        NEW.created_by := session_user;
    END IF;
    IF NEW.status = 'rejected' THEN
        RAISE EXCEPTION 'an order is rejected only by a checker''s decision' USING ERRCODE = 'PD004';
    END IF;
    IF NEW.kind = 'payout' AND NEW.status <> 'awaiting_approval' THEN
        SELECT approval_threshold_fen, id INTO threshold, profile FROM profiles WHERE pk = NEW.profile_pk;
        IF threshold IS NOT NULL AND NEW.amount_fen >= threshold AND NOT EXISTS (
            SELECT 1 FROM batch_rows r
            JOIN batches b ON b.id = r.batch_id
            JOIN batch_approvals a ON a.batch_id = r.batch_id
            WHERE r.order_no = NEW.order_no AND r.status = 'sending'
              AND r.amount_fen = NEW.amount_fen
              AND (r.fields::jsonb ->> 'account_no') IS NOT DISTINCT FROM NEW.account_no
              AND (r.fields::jsonb ->> 'payee_name') IS NOT DISTINCT FROM NEW.payee_name
              AND b.profile_uuid = profile AND b.state = 'running'
              AND a.decision = 'approved') THEN
            RAISE EXCEPTION 'payout % of % fen needs approval (threshold % fen)', NEW.order_no, NEW.amount_fen, threshold
                USING ERRCODE = 'PD004';
        END IF;
    END IF;
    RETURN NEW;
END $$;
