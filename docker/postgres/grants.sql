-- Least privilege for the API's database role, run by the database owner (the role that runs migrations) before and
-- after every `migrate`: psql -v api=threatplatform_api -f grants.sql. Idempotent.
-- The API role may read and write rows (and use sequences, and make the temporary staging table batch ingest COPYs
-- into) but owns nothing: no DDL, no superuser, no role or database creation. Tables and sequences the owner creates
-- later (every future migration) are granted by the default privileges below, so a migration needs no grant step.
-- audit_entries is the exception: append-only, so the API's role gets no UPDATE, DELETE or TRUNCATE on it (revoked
-- below after the grants, and by the migration that made it append-only; its triggers refuse them to every role).
-- Functions too: the event partition functions (SECURITY DEFINER, owned by the owner) are how the API's maintenance
-- job creates and drops month partitions without owning the table; the migration revokes them from PUBLIC.
-- tests/WebApi.IntegrationTests/Database/LeastPrivilegeTests.cs runs this file (with :'api' replaced) on PostgreSQL.
SELECT set_config('threatplatform.api_role', :'api', false);

DO $$
DECLARE
    api text := current_setting('threatplatform.api_role');
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), api);
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', api);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', api);
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO %I', api);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', api);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', api);
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO %I', api);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO %I', api);
    IF to_regclass('public.audit_entries') IS NOT NULL THEN
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM %I', api);
    END IF;
END $$;
