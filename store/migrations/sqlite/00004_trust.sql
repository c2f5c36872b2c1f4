-- +goose Up
-- The audit log's search finds a record by its label (names, emails,
-- employee numbers) as it was when the entry was written.
ALTER TABLE audit_entries ADD COLUMN label TEXT NOT NULL DEFAULT '';

-- Label the entries written before, from the records that still exist.
-- The log is append-only: its guard steps aside for these statements.
DROP TRIGGER audit_entries_no_update;
UPDATE audit_entries SET label = (SELECT c.full_name || ' · ' || c.email FROM clients c WHERE c.id = audit_entries.entity_id)
  WHERE entity = 'client' AND EXISTS (SELECT 1 FROM clients c WHERE c.id = audit_entries.entity_id);
UPDATE audit_entries SET label = (SELECT 'contract #' || k.id || ' · ' || c.full_name FROM contracts k JOIN clients c ON c.id = k.client_id WHERE k.id = audit_entries.entity_id)
  WHERE entity = 'contract' AND EXISTS (SELECT 1 FROM contracts k WHERE k.id = audit_entries.entity_id);
UPDATE audit_entries SET label = (SELECT e.name || ' · ' || c.full_name FROM events e JOIN contracts k ON k.id = e.contract_id JOIN clients c ON c.id = k.client_id WHERE e.id = audit_entries.entity_id)
  WHERE entity = 'event' AND EXISTS (SELECT 1 FROM events e WHERE e.id = audit_entries.entity_id);
UPDATE audit_entries SET label = (SELECT u.full_name || ' · ' || u.email || CASE WHEN u.employee_no <> '' THEN ' · ' || u.employee_no ELSE '' END FROM users u WHERE u.id = audit_entries.entity_id)
  WHERE entity = 'user' AND EXISTS (SELECT 1 FROM users u WHERE u.id = audit_entries.entity_id);
UPDATE audit_entries SET label = (SELECT co.name FROM companies co WHERE co.id = audit_entries.entity_id)
  WHERE entity = 'company' AND EXISTS (SELECT 1 FROM companies co WHERE co.id = audit_entries.entity_id);
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
-- +goose StatementEnd

-- Why a session was ended, so every process can say it on the login screen.
ALTER TABLE refresh_tokens ADD COLUMN revoke_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE refresh_tokens DROP COLUMN revoke_reason;
ALTER TABLE audit_entries DROP COLUMN label;
