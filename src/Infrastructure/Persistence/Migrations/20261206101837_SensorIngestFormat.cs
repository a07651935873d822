using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SensorIngestFormat : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Existing sensors keep speaking the event JSON (NATIVE = 0) and accept no syslog sender until an admin says so.
            migrationBuilder.Sql("""
                ALTER TABLE sensors
                    ADD COLUMN format smallint NOT NULL DEFAULT 0,
                    ADD COLUMN syslog_networks text[] NOT NULL DEFAULT '{}';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE sensors DROP COLUMN format, DROP COLUMN syslog_networks;");
        }
    }
}
