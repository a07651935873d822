using Microsoft.EntityFrameworkCore.Migrations;
using ThreatPlatform.Infrastructure.Persistence.Partitions;
using ThreatPlatform.Infrastructure.Persistence.Schema;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class EventKeysPerStatement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // -- hand-written: events' key trigger once per statement (EventKeysPerStatementSql); no model change.
            migrationBuilder.Sql(EventKeysPerStatementSql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // -- hand-written: see Up.
            migrationBuilder.Sql(EventKeysPerStatementSql.Down);
        }
    }
}
