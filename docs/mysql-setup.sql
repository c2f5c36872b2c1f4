-- Least-privilege setup of Epic Events CRM on MySQL 8 or MariaDB 10.5+.
--
-- Two accounts:
--   epic_owner  owns the schema: runs `epic-events migrate up` (DDL,
--               triggers); nothing else ever connects as it.
--   epic_app    what the UI, `serve` and the commands use: reads and
--               writes rows, no DDL; on the audit log it may only read and
--               append (the triggers refuse UPDATE and DELETE as well, for
--               every account).
--
-- Part 1, as an administrator, before the first `migrate up`. Replace the
-- two passwords and, if the app runs elsewhere, '%' by its host or subnet.

CREATE DATABASE IF NOT EXISTS epic CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;

CREATE USER IF NOT EXISTS 'epic_owner'@'%' IDENTIFIED BY 'owner-password-here';
CREATE USER IF NOT EXISTS 'epic_app'@'%' IDENTIFIED BY 'app-password-here';

-- The owner creates, alters and drops tables, indexes, foreign keys and
-- triggers, and backfills rows when a migration needs it. (With binary
-- logging on, MySQL also asks for log_bin_trust_function_creators = 1,
-- or SUPER, before it lets an account create a trigger.)
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, TRIGGER
    ON epic.* TO 'epic_owner'@'%';

-- Part 2, as an administrator, after the owner ran `epic-events migrate up`
-- (MySQL has no default privileges for tables created later: run this part
-- again after an upgrade whose migrations add a table).

GRANT SELECT, INSERT, UPDATE, DELETE ON epic.roles            TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.permissions      TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.role_permissions TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.meta             TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.users            TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.companies        TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.clients          TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.contracts        TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.payments         TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.events           TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.refresh_tokens   TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.login_attempts   TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.login_address_attempts TO 'epic_app'@'%';
GRANT SELECT, INSERT, UPDATE, DELETE ON epic.notifications    TO 'epic_app'@'%';
-- The change feed's log: written by triggers (with their definer's rights),
-- read and pruned by the app.
GRANT SELECT, DELETE ON epic.change_log TO 'epic_app'@'%';
-- The audit log: read and append only.
GRANT SELECT, INSERT ON epic.audit_entries TO 'epic_app'@'%';
-- The app checks at start-up that the schema is not behind its version.
GRANT SELECT ON epic.goose_db_version TO 'epic_app'@'%';
