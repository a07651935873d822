using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using ThreatPlatform.Infrastructure.Persistence.Schema;

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
            migrationBuilder.Sql(SensorNotificationsSql.SyslogTriggers);
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
