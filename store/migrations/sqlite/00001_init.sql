-- +goose Up
-- Timestamps are written by the application in UTC
-- ("2006-01-02 15:04:05.999999999+00:00"), so text order is time order.

CREATE TABLE roles (
    name     TEXT PRIMARY KEY,
    label    TEXT NOT NULL,
    position INTEGER NOT NULL
);

CREATE TABLE permissions (
    code        TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    position    INTEGER NOT NULL
);

CREATE TABLE role_permissions (
    role TEXT NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
    code TEXT NOT NULL REFERENCES permissions (code) ON DELETE CASCADE,
    PRIMARY KEY (role, code)
);
CREATE INDEX role_permissions_code_idx ON role_permissions (code);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('perm_version', 1);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    employee_no          TEXT NOT NULL UNIQUE,
    full_name            TEXT NOT NULL,
    email                TEXT NOT NULL,
    phone                TEXT NOT NULL DEFAULT '',
    role                 TEXT NOT NULL REFERENCES roles (name),
    active               BOOLEAN NOT NULL DEFAULT 1,
    password_hash        TEXT NOT NULL DEFAULT '',
    sessions_valid_after DATETIME,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           DATETIME NOT NULL,
    updated_at           DATETIME NOT NULL,
    updated_by_id        INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_name_idx ON users (full_name, id);
CREATE INDEX users_role_idx ON users (role, active);
CREATE INDEX users_updated_by_idx ON users (updated_by_id);

CREATE TABLE companies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX companies_name_key ON companies (lower(name));

CREATE TABLE clients (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    full_name        TEXT NOT NULL,
    email            TEXT NOT NULL,
    phone            TEXT NOT NULL DEFAULT '',
    company_id       INTEGER REFERENCES companies (id) ON DELETE SET NULL,
    sales_contact_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    updated_by_id    INTEGER REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX clients_email_key ON clients (lower(email));
CREATE INDEX clients_name_idx ON clients (full_name, id);
CREATE INDEX clients_created_idx ON clients (created_at, id);
CREATE INDEX clients_updated_idx ON clients (updated_at, id);
CREATE INDEX clients_company_idx ON clients (company_id, full_name, id);
CREATE INDEX clients_sales_idx ON clients (sales_contact_id, full_name, id);
CREATE INDEX clients_updated_by_idx ON clients (updated_by_id);

CREATE TABLE contracts (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id        INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    total_cents      INTEGER NOT NULL,
    remaining_cents  INTEGER NOT NULL,
    status           TEXT NOT NULL DEFAULT 'draft',
    signed_at        DATETIME,
    signed_by_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL,
    updated_by_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT contracts_remaining_check CHECK (remaining_cents >= 0 AND remaining_cents <= total_cents),
    CONSTRAINT contracts_status_check CHECK (status IN ('draft', 'signed')),
    CONSTRAINT contracts_signed_check CHECK (status = 'draft' OR signed_at IS NOT NULL)
);
CREATE INDEX contracts_client_idx ON contracts (client_id, created_at, id);
CREATE INDEX contracts_created_idx ON contracts (created_at, id);
CREATE INDEX contracts_total_idx ON contracts (total_cents, id);
CREATE INDEX contracts_remaining_idx ON contracts (remaining_cents, id);
CREATE INDEX contracts_draft_idx ON contracts (created_at, id) WHERE status = 'draft';
CREATE INDEX contracts_unpaid_idx ON contracts (created_at, id) WHERE remaining_cents > 0;
CREATE INDEX contracts_signed_at_idx ON contracts (signed_at);
CREATE INDEX contracts_signed_by_idx ON contracts (signed_by_id);
CREATE INDEX contracts_updated_by_idx ON contracts (updated_by_id);

CREATE TABLE payments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id    INTEGER NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    amount_cents   INTEGER NOT NULL,
    paid_at        DATETIME NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    recorded_by_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at     DATETIME NOT NULL,
    CONSTRAINT payments_amount_check CHECK (amount_cents > 0)
);
CREATE INDEX payments_contract_idx ON payments (contract_id, paid_at, id);
CREATE INDEX payments_recorded_by_idx ON payments (recorded_by_id);

CREATE TABLE events (
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
CREATE INDEX events_start_idx ON events (start_at, id);
CREATE INDEX events_name_idx ON events (name, id);
CREATE INDEX events_created_idx ON events (created_at, id);
CREATE INDEX events_support_idx ON events (support_contact_id, start_at, id);
CREATE INDEX events_unassigned_idx ON events (start_at, id) WHERE support_contact_id IS NULL;
CREATE INDEX events_updated_by_idx ON events (updated_by_id);

CREATE TABLE audit_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         DATETIME NOT NULL,
    actor_id   INTEGER,
    actor_name TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL DEFAULT '',
    entity_id  INTEGER NOT NULL DEFAULT 0,
    changes    TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_at_idx ON audit_entries (at, id);
CREATE INDEX audit_entity_idx ON audit_entries (entity, entity_id, at, id);
CREATE INDEX audit_actor_idx ON audit_entries (actor_id);

-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
-- +goose StatementEnd

CREATE TABLE refresh_tokens (
    hash       TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issued_at  DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    rotated_at DATETIME,
    revoked_at DATETIME
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TABLE login_attempts (
    email        TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL DEFAULT 0,
    last_failure DATETIME NOT NULL
);

INSERT INTO roles (name, label, position) VALUES
    ('management', 'Management', 1),
    ('sales', 'Sales', 2),
    ('support', 'Support', 3);

INSERT INTO permissions (code, description, position) VALUES
    ('client:read:any', 'read every client', 1),
    ('contract:read:any', 'read every contract', 2),
    ('event:read:any', 'read every event', 3),
    ('company:read:any', 'read companies', 4),
    ('company:create:any', 'create companies', 5),
    ('company:update:any', 'rename companies', 6),
    ('client:create:any', 'create clients (creator becomes sales contact)', 7),
    ('client:update:own', 'edit own clients', 8),
    ('client:update:any', 'edit every client', 9),
    ('client:reassign:any', 'change a client''s sales contact', 10),
    ('client:delete:any', 'delete clients', 11),
    ('contract:create:any', 'create contracts for any client', 12),
    ('contract:create:own_client', 'create contracts for own clients', 13),
    ('contract:update:any', 'edit every contract', 14),
    ('contract:update:own_client', 'edit own clients'' contracts', 15),
    ('contract:sign:any', 'sign every contract', 16),
    ('contract:sign:own_client', 'sign own clients'' contracts', 17),
    ('contract:delete:any', 'delete draft contracts', 18),
    ('payment:create:any', 'record payments on every contract', 19),
    ('payment:create:own_client', 'record payments on own clients'' contracts', 20),
    ('event:create:any', 'create events for any signed contract', 21),
    ('event:create:own_client', 'create events for own clients'' signed contracts', 22),
    ('event:update:any', 'edit every event', 23),
    ('event:update:assigned', 'edit events one supports', 24),
    ('event:assign_support:any', 'assign support to events', 25),
    ('event:delete:any', 'delete events', 26),
    ('user:read:any', 'read collaborators', 27),
    ('user:create:any', 'create collaborators', 28),
    ('user:update:any', 'edit collaborators and their role', 29),
    ('user:deactivate:any', 'deactivate and reactivate collaborators', 30),
    ('user:delete:any', 'delete collaborators', 31),
    ('role:read:any', 'read roles and permissions', 32),
    ('role:grant:any', 'grant and revoke permissions', 33),
    ('audit:read:any', 'read the audit log', 34);

INSERT INTO role_permissions (role, code) VALUES
    ('management', 'client:read:any'),
    ('management', 'contract:read:any'),
    ('management', 'event:read:any'),
    ('management', 'company:read:any'),
    ('management', 'company:create:any'),
    ('management', 'company:update:any'),
    ('management', 'client:update:any'),
    ('management', 'client:reassign:any'),
    ('management', 'client:delete:any'),
    ('management', 'contract:create:any'),
    ('management', 'contract:update:any'),
    ('management', 'contract:sign:any'),
    ('management', 'contract:delete:any'),
    ('management', 'payment:create:any'),
    ('management', 'event:assign_support:any'),
    ('management', 'event:update:any'),
    ('management', 'event:delete:any'),
    ('management', 'user:read:any'),
    ('management', 'user:create:any'),
    ('management', 'user:update:any'),
    ('management', 'user:deactivate:any'),
    ('management', 'user:delete:any'),
    ('management', 'role:read:any'),
    ('management', 'role:grant:any'),
    ('management', 'audit:read:any'),
    ('sales', 'client:read:any'),
    ('sales', 'contract:read:any'),
    ('sales', 'event:read:any'),
    ('sales', 'company:read:any'),
    ('sales', 'company:create:any'),
    ('sales', 'client:create:any'),
    ('sales', 'client:update:own'),
    ('sales', 'contract:update:own_client'),
    ('sales', 'contract:sign:own_client'),
    ('sales', 'payment:create:own_client'),
    ('sales', 'event:create:own_client'),
    ('sales', 'user:read:any'),
    ('support', 'client:read:any'),
    ('support', 'contract:read:any'),
    ('support', 'event:read:any'),
    ('support', 'company:read:any'),
    ('support', 'event:update:assigned'),
    ('support', 'user:read:any');

-- +goose Down
DROP TABLE login_attempts;
DROP TABLE refresh_tokens;
DROP TABLE audit_entries;
DROP TABLE events;
DROP TABLE payments;
DROP TABLE contracts;
DROP TABLE clients;
DROP TABLE companies;
DROP TABLE users;
DROP TABLE meta;
DROP TABLE role_permissions;
DROP TABLE permissions;
DROP TABLE roles;
