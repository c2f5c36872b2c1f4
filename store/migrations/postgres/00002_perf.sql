-- +goose Up
-- Events carry their client (a contract never changes client), so that
-- filtering and searching events by client or sales contact does not join
-- every event to its contract.
ALTER TABLE events ADD COLUMN client_id BIGINT REFERENCES clients (id);
UPDATE events AS e SET client_id = k.client_id FROM contracts AS k WHERE k.id = e.contract_id;
ALTER TABLE events ALTER COLUMN client_id SET NOT NULL;
CREATE INDEX events_client_idx ON events (client_id, start_at, id);
-- The start-ordered lists ("mine", by client, search) check the client and
-- support contact from the index alone (index-only scans), and contracts
-- likewise by creation.
CREATE INDEX events_start_cover_idx ON events (start_at, id) INCLUDE (client_id, support_contact_id);
DROP INDEX events_start_idx;
CREATE INDEX contracts_created_cover_idx ON contracts (created_at, id) INCLUDE (client_id);
DROP INDEX contracts_created_idx;

-- Should a contract ever move to another client, its event follows.
-- +goose StatementBegin
CREATE FUNCTION contracts_client_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE events SET client_id = NEW.client_id WHERE contract_id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER contracts_client_follow AFTER UPDATE OF client_id ON contracts
    FOR EACH ROW WHEN (NEW.client_id IS DISTINCT FROM OLD.client_id)
    EXECUTE FUNCTION contracts_client_follow();

ANALYZE events;

-- +goose Down
DROP TRIGGER contracts_client_follow ON contracts;
DROP FUNCTION contracts_client_follow();
CREATE INDEX contracts_created_idx ON contracts (created_at, id);
DROP INDEX contracts_created_cover_idx;
CREATE INDEX events_start_idx ON events (start_at, id);
DROP INDEX events_start_cover_idx;
DROP INDEX events_client_idx;
ALTER TABLE events DROP COLUMN client_id;
