using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <summary>
    /// SQL only (the model does not change): the syslog listener caches which sensor each sender network belongs to, so
    /// a sensor's format, grouping or syslog networks changing, or a sensor created with networks, NOTIFYs the cache
    /// channel as an active-flag change already does (CacheInvalidationListener empties the sender map on it).
    /// </summary>
    [DbContext(typeof(ApplicationDbContext))]
    [Migration("20261206121500_SyslogSenderNotifications")]
    public partial class SyslogSenderNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TRIGGER sensors_notify_syslog AFTER UPDATE OF format, grouping, syslog_networks ON sensors
                    FOR EACH ROW WHEN (NEW.format IS DISTINCT FROM OLD.format OR NEW.grouping IS DISTINCT FROM OLD.grouping
                        OR NEW.syslog_networks IS DISTINCT FROM OLD.syslog_networks)
                    EXECUTE FUNCTION notify_api_key_change();

                CREATE TRIGGER sensors_notify_syslog_created AFTER INSERT ON sensors
                    FOR EACH ROW WHEN (cardinality(NEW.syslog_networks) > 0)
                    EXECUTE FUNCTION notify_api_key_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS sensors_notify_syslog ON sensors;
                DROP TRIGGER IF EXISTS sensors_notify_syslog_created ON sensors;
                """);
        }
    }
}
