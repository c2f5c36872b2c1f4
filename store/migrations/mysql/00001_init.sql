-- +goose Up
-- InnoDB, utf8mb4. Names and emails use utf8mb4_unicode_520_ci, which
-- compares case- and accent-insensitively: a unique index on the plain
-- column is a case-insensitive unique email (or company name), and a LIKE
-- search for "helene" finds "Hélène". Timestamps are DATETIME(6) written
-- in UTC by the application (the connection's time zone is +00:00).
-- Foreign keys are table constraints: MySQL ignores REFERENCES written on
-- a column.

CREATE TABLE roles (
    name     VARCHAR(40) NOT NULL PRIMARY KEY,
    label    VARCHAR(100) NOT NULL,
    position INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE permissions (
    code        VARCHAR(100) NOT NULL PRIMARY KEY,
    description VARCHAR(300) NOT NULL,
    position    INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE role_permissions (
    role VARCHAR(40) NOT NULL,
    code VARCHAR(100) NOT NULL,
    PRIMARY KEY (role, code),
    KEY role_permissions_code_idx (code),
    CONSTRAINT role_permissions_role_fk FOREIGN KEY (role) REFERENCES roles (name) ON DELETE CASCADE,
    CONSTRAINT role_permissions_code_fk FOREIGN KEY (code) REFERENCES permissions (code) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

-- `key` is a reserved word: the application names it meta.key.
CREATE TABLE meta (
    `key` VARCHAR(100) NOT NULL PRIMARY KEY,
    value BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
INSERT INTO meta (`key`, value) VALUES ('perm_version', 1);

CREATE TABLE users (
    id                   BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    employee_no          VARCHAR(40) NOT NULL,
    full_name            VARCHAR(200) NOT NULL,
    email                VARCHAR(254) NOT NULL,
    phone                VARCHAR(40) NOT NULL DEFAULT '',
    role                 VARCHAR(40) NOT NULL,
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash        VARCHAR(255) NOT NULL DEFAULT '',
    sessions_valid_after DATETIME(6) NULL,
    version              BIGINT NOT NULL DEFAULT 1,
    created_at           DATETIME(6) NOT NULL,
    updated_at           DATETIME(6) NOT NULL,
    updated_by_id        BIGINT NULL,
    UNIQUE KEY users_employee_no_key (employee_no),
    UNIQUE KEY users_email_key (email),
    KEY users_name_idx (full_name, id),
    KEY users_role_idx (role, active),
    KEY users_updated_by_idx (updated_by_id),
    CONSTRAINT users_role_fk FOREIGN KEY (role) REFERENCES roles (name),
    CONSTRAINT users_updated_by_fk FOREIGN KEY (updated_by_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE companies (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(200) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    UNIQUE KEY companies_name_key (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE clients (
    id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    full_name        VARCHAR(200) NOT NULL,
    email            VARCHAR(254) NOT NULL,
    phone            VARCHAR(40) NOT NULL DEFAULT '',
    company_id       BIGINT NULL,
    sales_contact_id BIGINT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       DATETIME(6) NOT NULL,
    updated_at       DATETIME(6) NOT NULL,
    updated_by_id    BIGINT NULL,
    UNIQUE KEY clients_email_key (email),
    KEY clients_name_idx (full_name, id),
    KEY clients_created_idx (created_at, id),
    KEY clients_updated_idx (updated_at, id),
    KEY clients_company_idx (company_id, full_name, id),
    KEY clients_sales_idx (sales_contact_id, full_name, id),
    KEY clients_updated_by_idx (updated_by_id),
    CONSTRAINT clients_company_fk FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE SET NULL,
    CONSTRAINT clients_sales_fk FOREIGN KEY (sales_contact_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT clients_updated_by_fk FOREIGN KEY (updated_by_id) REFERENCES users (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE contracts (
    id               BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    client_id        BIGINT NOT NULL,
    total_cents      BIGINT NOT NULL,
    remaining_cents  BIGINT NOT NULL,
    status           VARCHAR(20) NOT NULL DEFAULT 'draft',
    signed_at        DATETIME(6) NULL,
    signed_by_id     BIGINT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       DATETIME(6) NOT NULL,
    updated_at       DATETIME(6) NOT NULL,
    updated_by_id    BIGINT NULL,
    KEY contracts_client_idx (client_id, created_at, id),
    KEY contracts_created_idx (created_at, id),
    KEY contracts_total_idx (total_cents, id),
    KEY contracts_remaining_idx (remaining_cents, id),
    -- No partial indexes in MySQL: the drafts walk (status, created_at).
    KEY contracts_status_idx (status, created_at, id),
    KEY contracts_signed_at_idx (signed_at),
    KEY contracts_signed_by_idx (signed_by_id),
    KEY contracts_updated_by_idx (updated_by_id),
    CONSTRAINT contracts_client_fk FOREIGN KEY (client_id) REFERENCES clients (id) ON DELETE CASCADE,
    CONSTRAINT contracts_signed_by_fk FOREIGN KEY (signed_by_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT contracts_updated_by_fk FOREIGN KEY (updated_by_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT contracts_remaining_check CHECK (remaining_cents >= 0 AND remaining_cents <= total_cents),
    CONSTRAINT contracts_status_check CHECK (status IN ('draft', 'signed')),
    CONSTRAINT contracts_signed_check CHECK (status = 'draft' OR signed_at IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE payments (
    id             BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    contract_id    BIGINT NOT NULL,
    amount_cents   BIGINT NOT NULL,
    paid_at        DATETIME(6) NOT NULL,
    note           VARCHAR(500) NOT NULL DEFAULT '',
    recorded_by_id BIGINT NULL,
    created_at     DATETIME(6) NOT NULL,
    KEY payments_contract_idx (contract_id, paid_at, id),
    KEY payments_recorded_by_idx (recorded_by_id),
    CONSTRAINT payments_contract_fk FOREIGN KEY (contract_id) REFERENCES contracts (id) ON DELETE CASCADE,
    CONSTRAINT payments_recorded_by_fk FOREIGN KEY (recorded_by_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT payments_amount_check CHECK (amount_cents > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE events (
    id                 BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name               VARCHAR(200) NOT NULL,
    contract_id        BIGINT NOT NULL,
    start_at           DATETIME(6) NOT NULL,
    end_at             DATETIME(6) NOT NULL,
    location           VARCHAR(300) NOT NULL DEFAULT '',
    attendees          INT NOT NULL DEFAULT 0,
    notes              TEXT NOT NULL,
    status             VARCHAR(20) NOT NULL DEFAULT 'planned',
    support_contact_id BIGINT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         DATETIME(6) NOT NULL,
    updated_at         DATETIME(6) NOT NULL,
    updated_by_id      BIGINT NULL,
    UNIQUE KEY events_contract_key (contract_id),
    KEY events_start_idx (start_at, id),
    KEY events_name_idx (name, id),
    KEY events_created_idx (created_at, id),
    -- Also the "without support" list: support_contact_id IS NULL, by start.
    KEY events_support_idx (support_contact_id, start_at, id),
    KEY events_updated_by_idx (updated_by_id),
    CONSTRAINT events_contract_fk FOREIGN KEY (contract_id) REFERENCES contracts (id),
    CONSTRAINT events_support_fk FOREIGN KEY (support_contact_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT events_updated_by_fk FOREIGN KEY (updated_by_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT events_dates_check CHECK (end_at > start_at),
    CONSTRAINT events_attendees_check CHECK (attendees >= 0),
    CONSTRAINT events_status_check CHECK (status IN ('planned', 'confirmed', 'done', 'cancelled'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE audit_entries (
    id         BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    at         DATETIME(6) NOT NULL,
    actor_id   BIGINT NULL,
    actor_name VARCHAR(200) NOT NULL DEFAULT '',
    action     VARCHAR(100) NOT NULL,
    entity     VARCHAR(40) NOT NULL DEFAULT '',
    entity_id  BIGINT NOT NULL DEFAULT 0,
    changes    MEDIUMTEXT NOT NULL,
    KEY audit_at_idx (at, id),
    KEY audit_entity_idx (entity, entity_id, at, id),
    KEY audit_actor_idx (actor_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

-- Append-only, whatever the privileges: UPDATE and DELETE are refused.
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit entries are append-only';
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit entries are append-only';
-- +goose StatementEnd

CREATE TABLE refresh_tokens (
    hash       VARCHAR(128) NOT NULL PRIMARY KEY,
    family_id  VARCHAR(128) NOT NULL,
    user_id    BIGINT NOT NULL,
    issued_at  DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    rotated_at DATETIME(6) NULL,
    revoked_at DATETIME(6) NULL,
    KEY refresh_tokens_family_idx (family_id),
    KEY refresh_tokens_user_idx (user_id),
    CONSTRAINT refresh_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE login_attempts (
    email        VARCHAR(254) NOT NULL PRIMARY KEY,
    failures     INT NOT NULL DEFAULT 0,
    last_failure DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

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
DROP TRIGGER audit_entries_no_delete;
DROP TRIGGER audit_entries_no_update;
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
