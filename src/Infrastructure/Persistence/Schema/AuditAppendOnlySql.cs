namespace ThreatPlatform.Infrastructure.Persistence.Schema;

/// <summary>
/// audit_entries accepts INSERT and SELECT only. No role but the owner keeps UPDATE, DELETE or TRUNCATE on it (the
/// migration revokes them from every role granted them, the API's included, and docker/postgres/grants.sql revokes them
/// again after its grants), and triggers refuse all three to everyone, the owner and superusers included: changing an
/// entry takes dropping a trigger first, which is DDL the owner alone can do and which the database's logs show.
/// </summary>
/// <remarks>Last created by migration AuditAppendOnlyKeyedChain, which runs this text.</remarks>
internal static class AuditAppendOnlySql
{
    public const string Up = """
        ALTER TABLE audit_entries ALTER COLUMN chain_version DROP DEFAULT;

        CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP
                USING HINT = 'The audit log is evidence; GET /api/audit/verify/ checks it.';
        END $$;

        CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
            FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change();
        CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
            FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change();

        DO $$
        DECLARE
            grantee text;
        BEGIN
            FOR grantee IN
                SELECT DISTINCT r.rolname
                FROM pg_class c
                CROSS JOIN LATERAL aclexplode(c.relacl) a
                JOIN pg_roles r ON r.oid = a.grantee
                WHERE c.oid = 'audit_entries'::regclass
                  AND a.grantee <> c.relowner
                  AND a.privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE')
            LOOP
                EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM %I', grantee);
            END LOOP;
            REVOKE UPDATE, DELETE, TRUNCATE ON audit_entries FROM PUBLIC;
        END $$;
        """;

    // The grants come back with docker/postgres/grants.sql's next run, which no longer revokes them once the table is gone.
    public const string Down = """
        DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries;
        DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries;
        DROP FUNCTION IF EXISTS audit_entries_refuse_change();
        """;
}
