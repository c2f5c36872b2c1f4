-- +goose Up
-- Events carry their client (a contract never changes client), so that
-- filtering and searching events by client or sales contact does not join
-- every event to its contract.
ALTER TABLE events ADD COLUMN client_id BIGINT NULL AFTER contract_id;
UPDATE events AS e JOIN contracts AS k ON k.id = e.contract_id SET e.client_id = k.client_id;
-- (start_at, id) with the filtered columns: the start-ordered lists check
-- "mine" and client filters from the index alone (InnoDB has no INCLUDE).
ALTER TABLE events
    MODIFY client_id BIGINT NOT NULL,
    ADD CONSTRAINT events_client_fk FOREIGN KEY (client_id) REFERENCES clients (id),
    ADD KEY events_client_idx (client_id, start_at, id),
    ADD KEY events_start_cover_idx (start_at, id, client_id, support_contact_id),
    DROP KEY events_start_idx;
-- Contracts by creation with their client, for "mine" and search.
ALTER TABLE contracts
    ADD KEY contracts_created_client_idx (created_at, id, client_id),
    DROP KEY contracts_created_idx;

-- Should a contract ever move to another client, its event follows.
-- +goose StatementBegin
CREATE TRIGGER contracts_client_follow AFTER UPDATE ON contracts FOR EACH ROW
BEGIN
    IF NOT (NEW.client_id <=> OLD.client_id) THEN
        UPDATE events SET client_id = NEW.client_id WHERE contract_id = NEW.id;
    END IF;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER contracts_client_follow;
ALTER TABLE contracts
    ADD KEY contracts_created_idx (created_at, id),
    DROP KEY contracts_created_client_idx;
ALTER TABLE events
    ADD KEY events_start_idx (start_at, id),
    DROP KEY events_start_cover_idx,
    DROP FOREIGN KEY events_client_fk,
    DROP KEY events_client_idx;
ALTER TABLE events DROP COLUMN client_id;
