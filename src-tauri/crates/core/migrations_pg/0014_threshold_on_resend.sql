-- Maker-checker (issue 13): 0010 and 0012 hold a payout at or above the
-- threshold at its insert. A payout whose earlier request provably never
-- left is sent again under its number by an update (failed -> unknown,
-- services/orders.rs `resend_start`), not an insert: without this, a desk
-- that read the profile before another desk set or lowered the threshold
-- could send it again without approval. The threshold in force when the
-- resend is written decides; a payout a checker approved may be sent again.
CREATE FUNCTION paydesk_orders_resend() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE threshold BIGINT;
BEGIN
    SELECT approval_threshold_fen INTO threshold FROM profiles WHERE pk = NEW.profile_pk;
    IF threshold IS NOT NULL AND NEW.amount_fen >= threshold AND NOT EXISTS (
        SELECT 1 FROM order_approvals a WHERE a.order_id = NEW.id AND a.decision = 'approved') THEN
        RAISE EXCEPTION 'payout % of % fen needs approval (threshold % fen): not sent again', NEW.order_no, NEW.amount_fen, threshold
            USING ERRCODE = 'PD004';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER paydesk_threshold_resend BEFORE UPDATE OF status ON orders
    FOR EACH ROW WHEN (OLD.status = 'failed' AND NEW.status = 'unknown' AND NEW.kind = 'payout')
    EXECUTE FUNCTION paydesk_orders_resend();
