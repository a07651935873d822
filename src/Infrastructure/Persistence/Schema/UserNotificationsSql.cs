namespace ThreatPlatform.Infrastructure.Persistence.Schema;

/// <summary>
/// Hand-written SQL of migration PrincipalCache (kept here so it can be re-applied if the migration is regenerated):
/// a change to a user's role, active flag or tokens-valid-after time (since migration UserTokensValidAfter), or a
/// deleted user, NOTIFYs <see cref="NotifyChannels.Users"/> with the user's id inside the changing transaction, so every
/// API process evicts it at commit whatever made the change.
/// </summary>
/// <remarks>The function last created by migration PerformanceAtScale (<see cref="Up"/>), the trigger by migration UserTokensValidAfter (<see cref="WithTokensValidAfterUp"/>).</remarks>
internal static class UserNotificationsSql
{
    public const string Up = $$"""
        CREATE FUNCTION notify_user_access_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{{NotifyChannels.Users}}', (CASE TG_OP WHEN 'DELETE' THEN OLD.id ELSE NEW.id END)::text);
            RETURN NULL;
        END $$;

        CREATE TRIGGER users_notify_access AFTER UPDATE OF role, is_active ON users
            FOR EACH ROW WHEN (NEW.role IS DISTINCT FROM OLD.role OR NEW.is_active IS DISTINCT FROM OLD.is_active)
            EXECUTE FUNCTION notify_user_access_change();

        CREATE TRIGGER users_notify_deleted AFTER DELETE ON users
            FOR EACH ROW EXECUTE FUNCTION notify_user_access_change();
        """;

    public const string Down = "DROP FUNCTION IF EXISTS notify_user_access_change() CASCADE;";

    /// <summary>Migration UserTokensValidAfter: a change of the tokens-valid-after time notifies as well.</summary>
    public const string WithTokensValidAfterUp = """
        DROP TRIGGER users_notify_access ON users;
        CREATE TRIGGER users_notify_access AFTER UPDATE OF role, is_active, tokens_valid_after ON users
            FOR EACH ROW WHEN (NEW.role IS DISTINCT FROM OLD.role OR NEW.is_active IS DISTINCT FROM OLD.is_active
                OR NEW.tokens_valid_after IS DISTINCT FROM OLD.tokens_valid_after)
            EXECUTE FUNCTION notify_user_access_change();
        """;

    public const string WithTokensValidAfterDown = """
        DROP TRIGGER users_notify_access ON users;
        CREATE TRIGGER users_notify_access AFTER UPDATE OF role, is_active ON users
            FOR EACH ROW WHEN (NEW.role IS DISTINCT FROM OLD.role OR NEW.is_active IS DISTINCT FROM OLD.is_active)
            EXECUTE FUNCTION notify_user_access_change();
        """;
}
