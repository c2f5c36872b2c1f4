-- +goose Up
-- Events carry their client (a contract never changes client), so that
-- filtering and searching events by client or sales contact does not join
-- every event to its contract. SQLite cannot add a NOT NULL column with a
-- foreign key, so the table is rebuilt (nothing refers to events).
CREATE TABLE events_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT NOT NULL,
    contract_id        INTEGER NOT NULL UNIQUE REFERENCES contracts (id),
    client_id          INTEGER NOT NULL REFERENCES clients (id),
    start_at           DATETIME NOT NULL,
    end_at             DATETIME NOT NULL,
    location           TEXT NOT NULL DEFAULT '',
    attendees          INTEGER NOT NULL DEFAULT 0,
    notes              TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'planned',
    support_contact_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    updated_by_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT events_dates_check CHECK (end_at > start_at),
    CONSTRAINT events_attendees_check CHECK (attendees >= 0),
    CONSTRAINT events_status_check CHECK (status IN ('planned', 'confirmed', 'done', 'cancelled'))
);
INSERT INTO events_new (id, name, contract_id, client_id, start_at, end_at, location, attendees, notes, status,
                        support_contact_id, version, created_at, updated_at, updated_by_id)
SELECT e.id, e.name, e.contract_id, k.client_id, e.start_at, e.end_at, e.location, e.attendees, e.notes, e.status,
       e.support_contact_id, e.version, e.created_at, e.updated_at, e.updated_by_id
FROM events AS e JOIN contracts AS k ON k.id = e.contract_id;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
-- (start_at, id) with the filtered columns: the start-ordered lists check
-- "mine" and client filters from the index alone.
CREATE INDEX events_start_idx ON events (start_at, id, client_id, support_contact_id);
CREATE INDEX events_name_idx ON events (name, id);
CREATE INDEX events_created_idx ON events (created_at, id);
CREATE INDEX events_support_idx ON events (support_contact_id, start_at, id);
CREATE INDEX events_unassigned_idx ON events (start_at, id) WHERE support_contact_id IS NULL;
CREATE INDEX events_updated_by_idx ON events (updated_by_id);
CREATE INDEX events_client_idx ON events (client_id, start_at, id);

-- Should a contract ever move to another client, its event follows.
-- +goose StatementBegin
CREATE TRIGGER contracts_client_follow AFTER UPDATE OF client_id ON contracts
WHEN NEW.client_id IS NOT OLD.client_id
BEGIN
    UPDATE events SET client_id = NEW.client_id WHERE contract_id = NEW.id;
END;
-- +goose StatementEnd

-- Contracts by creation with their client, for "mine" and search.
CREATE INDEX contracts_created_client_idx ON contracts (created_at, id, client_id);

-- +goose Down
DROP INDEX contracts_created_client_idx;
DROP TRIGGER contracts_client_follow;
CREATE TABLE events_old (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT NOT NULL,
    contract_id        INTEGER NOT NULL UNIQUE REFERENCES contracts (id),
    start_at           DATETIME NOT NULL,
    end_at             DATETIME NOT NULL,
    location           TEXT NOT NULL DEFAULT '',
    attendees          INTEGER NOT NULL DEFAULT 0,
    notes              TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'planned',
    support_contact_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    updated_by_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT events_dates_check CHECK (end_at > start_at),
    CONSTRAINT events_attendees_check CHECK (attendees >= 0),
    CONSTRAINT events_status_check CHECK (status IN ('planned', 'confirmed', 'done', 'cancelled'))
);
INSERT INTO events_old (id, name, contract_id, start_at, end_at, location, attendees, notes, status,
                        support_contact_id, version, created_at, updated_at, updated_by_id)
SELECT id, name, contract_id, start_at, end_at, location, attendees, notes, status,
       support_contact_id, version, created_at, updated_at, updated_by_id
FROM events;
DROP TABLE events;
ALTER TABLE events_old RENAME TO events;
CREATE INDEX events_start_idx ON events (start_at, id);
CREATE INDEX events_name_idx ON events (name, id);
CREATE INDEX events_created_idx ON events (created_at, id);
CREATE INDEX events_support_idx ON events (support_contact_id, start_at, id);
CREATE INDEX events_unassigned_idx ON events (start_at, id) WHERE support_contact_id IS NULL;
CREATE INDEX events_updated_by_idx ON events (updated_by_id);
