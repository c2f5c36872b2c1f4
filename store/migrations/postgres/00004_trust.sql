-- +goose Up
-- The audit log's search finds a record by its label (names, emails,
-- employee numbers) as it was when the entry was written.
ALTER TABLE audit_entries ADD COLUMN label TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_label_trgm ON audit_entries USING gin (lower(label) gin_trgm_ops);

-- Label the entries written before, from the records that still exist.
-- The log is append-only: its guard steps aside for this one statement.
ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_no_change;
UPDATE audit_entries a SET label = concat_ws(' · ', c.full_name, nullif(c.email, ''))
  FROM clients c WHERE a.entity = 'client' AND c.id = a.entity_id;
UPDATE audit_entries a SET label = concat_ws(' · ', 'contract #' || k.id, c.full_name)
  FROM contracts k JOIN clients c ON c.id = k.client_id WHERE a.entity = 'contract' AND k.id = a.entity_id;
UPDATE audit_entries a SET label = concat_ws(' · ', e.name, c.full_name)
  FROM events e JOIN contracts k ON k.id = e.contract_id JOIN clients c ON c.id = k.client_id
  WHERE a.entity = 'event' AND e.id = a.entity_id;
UPDATE audit_entries a SET label = concat_ws(' · ', u.full_name, u.email, nullif(u.employee_no, ''))
  FROM users u WHERE a.entity = 'user' AND u.id = a.entity_id;
UPDATE audit_entries a SET label = co.name
  FROM companies co WHERE a.entity = 'company' AND co.id = a.entity_id;
ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_no_change;

-- Why a session was ended, so every process can say it on the login screen.
ALTER TABLE refresh_tokens ADD COLUMN revoke_reason TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE refresh_tokens DROP COLUMN revoke_reason;
DROP INDEX audit_label_trgm;
ALTER TABLE audit_entries DROP COLUMN label;
