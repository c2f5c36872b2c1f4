-- Least-privilege PostgreSQL roles for Epic Events. Plain SQL: run it as a
-- superuser (or the database owner with CREATEROLE) connected to the
-- application's database, once at installation and again after every
-- `epic-events migrate up` (it is idempotent):
--
--   go tool task pg:setup -- "postgres://postgres@db.example/crm"
--   psql "postgres://postgres@db.example/crm" -f store/pgsetup/pg-setup.sql
--
-- epic_owner owns the schema and runs the migrations (DDL).
-- epic_app is what `serve` and the commands connect as: it reads and
-- writes rows, appends to the audit log, and can do nothing else — no
-- DDL, no TRUNCATE, no UPDATE or DELETE of audit entries (the trigger of
-- migration 00001 refuses those too; this makes it a privilege, which an
-- owner cannot switch off by disabling a trigger).
--
-- Both roles are created without a password: give them one (or a
-- certificate) with ALTER ROLE ... PASSWORD, as docs/OPERATIONS.md says.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'epic_owner') THEN
        CREATE ROLE epic_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'epic_app') THEN
        CREATE ROLE epic_app LOGIN;
    END IF;
END
$$;

-- Nobody but the owner creates objects in the schema.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO epic_owner;
GRANT USAGE ON SCHEMA public TO epic_app;
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO epic_owner, epic_app', current_database());
END
$$;

-- Rows of every table, and the sequences behind identity columns.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO epic_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO epic_app;
-- Tables the owner creates later get the same (the audit rule below is
-- applied again by rerunning this script after a migration).
ALTER DEFAULT PRIVILEGES FOR ROLE epic_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO epic_app;
ALTER DEFAULT PRIVILEGES FOR ROLE epic_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO epic_app;

-- The audit log is append-only for the application.
DO $$
BEGIN
    IF to_regclass('public.audit_entries') IS NOT NULL THEN
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM epic_app;
    END IF;
    -- The migration history is the owner's: the app only reads it (to
    -- refuse a schema that is behind).
    IF to_regclass('public.goose_db_version') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON goose_db_version FROM epic_app;
    END IF;
END
$$;
