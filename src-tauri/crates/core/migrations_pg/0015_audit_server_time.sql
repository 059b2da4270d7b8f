-- Team mode: an audit entry's time is the server's clock, not the desk's,
-- so neither a desk with a wrong clock nor an operator's hand-written
-- INSERT can date an entry earlier or later than it was written (the actor
-- is stamped by the database likewise: team/admin.rs). Milliseconds since
-- the epoch, as the column has always held.
CREATE FUNCTION paydesk_audit_server_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.at := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_server_time BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION paydesk_audit_server_time();
