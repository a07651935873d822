using Microsoft.EntityFrameworkCore.Migrations;
using ThreatPlatform.Infrastructure.Caching;
using ThreatPlatform.Infrastructure.Persistence.Schema;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PerformanceAtScale : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // -- hand-written: the users table NOTIFYs changes of role and active flag, so every API process can keep
            // its users in memory (UserNotificationsSql.Up holds the SQL; re-apply it if this migration is regenerated).
            migrationBuilder.Sql(UserNotificationsSql.Up);

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // -- hand-written: see Up.
            migrationBuilder.Sql(UserNotificationsSql.Down);

        }
    }
}
