-- Maker-checker (issue 13): a payout at or above its profile's threshold is
-- stored as `awaiting_approval` with the exact request it will send (the
-- order row: number, kind, amount, validated form values) and sent only after
-- a checker approves it. The rules live here, in the database, so no client
-- (an old PayDesk, psql typed by hand) can get round them:
--   * who made an awaiting payout is the session's login role, stamped by the
--     database (whatever the client wrote in created_by);
--   * a payout at or above the threshold can only be written as awaiting;
--   * while awaiting, the request cannot change;
--   * it leaves `awaiting_approval` only through a decision in
--     `order_approvals`, made by a role other than its maker that is a
--     member of paydesk_checker or paydesk_admin;
--   * a decision is written once; `rejected` is final.
-- Errors carry their own SQLSTATE so the app names them: PD001 same operator,
-- PD002 not a checker, PD003 already decided, PD004 approval rule broken.
-- The orders triggers are named to fire after `team init`'s (PostgreSQL
-- fires them by name): its frozen-columns check (42501) speaks first.

ALTER TABLE profiles ADD COLUMN approval_threshold_fen BIGINT
    CHECK (approval_threshold_fen IS NULL OR approval_threshold_fen >= 0);

-- The two maker-checker statuses join the status set.
DO $$
DECLARE c text;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'orders'::regclass AND contype = 'c'
               AND pg_get_constraintdef(oid) LIKE '%status%'
    LOOP
        EXECUTE format('ALTER TABLE orders DROP CONSTRAINT %I', c);
    END LOOP;
END $$;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN
    ('pending', 'processing', 'succeeded', 'failed', 'unknown', 'awaiting_approval', 'rejected'));

-- One row per order that needed approval: who made it and when, and the one
-- decision on it (who, when, why).
CREATE TABLE order_approvals (
    order_id   BIGINT PRIMARY KEY REFERENCES orders(id),
    maker      TEXT NOT NULL,
    made_at    BIGINT NOT NULL,
    decision   TEXT CHECK (decision IN ('approved', 'rejected')),
    checker    TEXT,
    decided_at BIGINT,
    reason     TEXT,
    CHECK ((decision IS NULL) = (checker IS NULL) AND (decision IS NULL) = (decided_at IS NULL)),
    CHECK (decision IS DISTINCT FROM 'rejected' OR length(trim(reason)) > 0),
    CHECK (checker IS DISTINCT FROM maker)
);
CREATE INDEX order_approvals_open ON order_approvals(made_at) WHERE decision IS NULL;

-- Orders: the maker of an awaiting payout is the session's role; the
-- threshold and the approval rules hold for every write.
CREATE FUNCTION paydesk_orders_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE threshold BIGINT;
BEGIN
    IF NEW.status = 'awaiting_approval' THEN
        NEW.created_by := session_user;
    END IF;
    IF NEW.status = 'rejected' THEN
        RAISE EXCEPTION 'an order is rejected only by a checker''s decision' USING ERRCODE = 'PD004';
    END IF;
    IF NEW.kind = 'payout' AND NEW.status <> 'awaiting_approval' THEN
        SELECT approval_threshold_fen INTO threshold FROM profiles WHERE pk = NEW.profile_pk;
        IF threshold IS NOT NULL AND NEW.amount_fen >= threshold THEN
            RAISE EXCEPTION 'payout % of % fen needs approval (threshold % fen)', NEW.order_no, NEW.amount_fen, threshold
                USING ERRCODE = 'PD004';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER paydesk_threshold BEFORE INSERT ON orders
    FOR EACH ROW EXECUTE FUNCTION paydesk_orders_insert();

-- The approval row comes with the awaiting order. Security definer: a maker
-- needs no right on order_approvals to submit a payout.
CREATE FUNCTION paydesk_orders_awaiting() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO order_approvals (order_id, maker, made_at)
    VALUES (NEW.id, NEW.created_by, NEW.created_at);
    RETURN NULL;
END $$;
CREATE TRIGGER paydesk_waiting_row AFTER INSERT ON orders
    FOR EACH ROW WHEN (NEW.status = 'awaiting_approval')
    EXECUTE FUNCTION paydesk_orders_awaiting();

CREATE FUNCTION paydesk_orders_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE d TEXT;
BEGIN
    IF NEW.created_by IS DISTINCT FROM OLD.created_by THEN
        RAISE EXCEPTION 'who made an order never changes' USING ERRCODE = 'PD004';
    END IF;
    IF OLD.status = 'awaiting_approval' AND (
        NEW.order_no, NEW.kind, NEW.amount_fen, NEW.profile_pk, NEW.fields,
        NEW.channel, NEW.payee_name, NEW.account_no, NEW.bank_name)
        IS DISTINCT FROM (OLD.order_no, OLD.kind, OLD.amount_fen, OLD.profile_pk, OLD.fields,
        OLD.channel, OLD.payee_name, OLD.account_no, OLD.bank_name) THEN
        RAISE EXCEPTION 'order % awaits approval: its request cannot change', OLD.order_no
            USING ERRCODE = 'PD004';
    END IF;
    IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
    END IF;
    IF OLD.status = 'rejected' THEN
        RAISE EXCEPTION 'order % was rejected: final', OLD.order_no USING ERRCODE = 'PD004';
    END IF;
    IF OLD.status = 'awaiting_approval' OR NEW.status IN ('awaiting_approval', 'rejected') THEN
        SELECT decision INTO d FROM order_approvals WHERE order_id = OLD.id;
        -- COALESCE: an undecided (NULL) decision must refuse, not slip through.
        IF NOT COALESCE(OLD.status = 'awaiting_approval' AND (
                (d = 'approved' AND NEW.status = 'unknown') OR
                (d = 'rejected' AND NEW.status = 'rejected')), false) THEN
            RAISE EXCEPTION 'order % leaves awaiting approval only by a checker''s decision', OLD.order_no
                USING ERRCODE = 'PD004';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER paydesk_waiting_update BEFORE UPDATE ON orders
    FOR EACH ROW EXECUTE FUNCTION paydesk_orders_update();

-- Decisions: once, by a checker (or admin) who is not the maker. The
-- database stamps the checker from the session, whatever the client wrote.
CREATE FUNCTION paydesk_approvals_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.decision IS NOT NULL OR NEW.checker IS NOT NULL OR NEW.decided_at IS NOT NULL THEN
        RAISE EXCEPTION 'an approval starts undecided' USING ERRCODE = 'PD004';
    END IF;
    SELECT created_by, created_at INTO NEW.maker, NEW.made_at FROM orders WHERE id = NEW.order_id;
    RETURN NEW;
END $$;
CREATE TRIGGER order_approvals_insert BEFORE INSERT ON order_approvals
    FOR EACH ROW EXECUTE FUNCTION paydesk_approvals_insert();

CREATE FUNCTION paydesk_approvals_decide() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.decision IS NOT NULL THEN
        RAISE EXCEPTION 'order % was already %', OLD.order_id, OLD.decision USING ERRCODE = 'PD003';
    END IF;
    IF (NEW.order_id, NEW.maker, NEW.made_at) IS DISTINCT FROM (OLD.order_id, OLD.maker, OLD.made_at)
        OR NEW.decision IS NULL THEN
        RAISE EXCEPTION 'an approval only takes a decision' USING ERRCODE = 'PD004';
    END IF;
    IF session_user = OLD.maker OR current_user = OLD.maker THEN
        RAISE EXCEPTION 'same_operator: % made this payout and cannot decide on it', OLD.maker
            USING ERRCODE = 'PD001';
    END IF;
    IF NOT (pg_has_role(current_user, 'paydesk_checker', 'MEMBER')
            OR pg_has_role(current_user, 'paydesk_admin', 'MEMBER')) THEN
        RAISE EXCEPTION 'not_checker: % is not a checker', current_user USING ERRCODE = 'PD002';
    END IF;
    NEW.checker := session_user;
    RETURN NEW;
END $$;
CREATE TRIGGER order_approvals_decide BEFORE UPDATE ON order_approvals
    FOR EACH ROW EXECUTE FUNCTION paydesk_approvals_decide();

CREATE FUNCTION paydesk_approvals_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'order_approvals is append-only' USING ERRCODE = 'PD004';
END $$;
CREATE TRIGGER order_approvals_keep BEFORE DELETE OR TRUNCATE ON order_approvals
    FOR EACH STATEMENT EXECUTE FUNCTION paydesk_approvals_keep();
