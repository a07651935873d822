using Microsoft.EntityFrameworkCore.Migrations;
using ThreatPlatform.Infrastructure.Persistence.AlertChanges;
using ThreatPlatform.Infrastructure.Persistence.Schema;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class AlertChangeWriterLock : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // -- hand-written: writers of alert_changes hold a shared advisory lock (AlertChangeWriterLockSql); no model change.
            migrationBuilder.Sql(AlertChangeWriterLockSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // -- hand-written: see Up.
            migrationBuilder.Sql(AlertChangeWriterLockSql.Down);
        }
    }
}
