-- +goose Up
-- The audit log's search finds a record by its label (names, emails,
-- employee numbers) as it was when the entry was written.
ALTER TABLE audit_entries ADD COLUMN label VARCHAR(1000) NOT NULL DEFAULT '' AFTER entity_id;

-- Label the entries written before, from the records that still exist.
-- The log is append-only: its guard steps aside for these statements
-- (MySQL cannot disable a trigger, so it is dropped and created again).
DROP TRIGGER audit_entries_no_update;
UPDATE audit_entries a JOIN clients c ON c.id = a.entity_id
  SET a.label = CONCAT_WS(' · ', c.full_name, NULLIF(c.email, ''))
  WHERE a.entity = 'client';
UPDATE audit_entries a JOIN contracts k ON k.id = a.entity_id JOIN clients c ON c.id = k.client_id
  SET a.label = CONCAT_WS(' · ', CONCAT('contract #', k.id), c.full_name)
  WHERE a.entity = 'contract';
UPDATE audit_entries a JOIN events e ON e.id = a.entity_id JOIN contracts k ON k.id = e.contract_id JOIN clients c ON c.id = k.client_id
  SET a.label = CONCAT_WS(' · ', e.name, c.full_name)
  WHERE a.entity = 'event';
UPDATE audit_entries a JOIN users u ON u.id = a.entity_id
  SET a.label = CONCAT_WS(' · ', u.full_name, u.email, NULLIF(u.employee_no, ''))
  WHERE a.entity = 'user';
UPDATE audit_entries a JOIN companies co ON co.id = a.entity_id
  SET a.label = co.name
  WHERE a.entity = 'company';
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit entries are append-only';
-- +goose StatementEnd

-- Why a session was ended, so every process can say it on the login screen.
ALTER TABLE refresh_tokens ADD COLUMN revoke_reason VARCHAR(100) NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE refresh_tokens DROP COLUMN revoke_reason;
ALTER TABLE audit_entries DROP COLUMN label;
