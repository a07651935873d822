using System;
using Microsoft.EntityFrameworkCore.Migrations;
using ThreatPlatform.Infrastructure.Caching;
using ThreatPlatform.Infrastructure.Persistence.Schema;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class UserTokensValidAfter : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "tokens_valid_after",
                table: "users",
                type: "timestamp with time zone",
                nullable: true);

            // -- hand-written: the principal cache hears of a sign-out everywhere as of a deactivation.
            migrationBuilder.Sql(UserNotificationsSql.WithTokensValidAfterUp);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // -- hand-written: see Up.
            migrationBuilder.Sql(UserNotificationsSql.WithTokensValidAfterDown);

            migrationBuilder.DropColumn(
                name: "tokens_valid_after",
                table: "users");
        }
    }
}
