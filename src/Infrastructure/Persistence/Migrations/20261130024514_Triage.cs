using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Triage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ack_due_at",
                table: "alerts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "acknowledged_late",
                table: "alerts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "assignee_id",
                table: "alerts",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "closed_at",
                table: "alerts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "closed_late",
                table: "alerts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "first_acknowledged_at",
                table: "alerts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "resolve_due_at",
                table: "alerts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string[]>(
                name: "tags",
                table: "alerts",
                type: "text[]",
                nullable: false,
                defaultValue: new string[0]);

            migrationBuilder.AlterColumn<short>(
                name: "to_status",
                table: "alert_status_changes",
                type: "smallint",
                nullable: true,
                oldClrType: typeof(short),
                oldType: "smallint");

            migrationBuilder.AlterColumn<short>(
                name: "from_status",
                table: "alert_status_changes",
                type: "smallint",
                nullable: true,
                oldClrType: typeof(short),
                oldType: "smallint");

            migrationBuilder.AddColumn<short>(
                name: "action",
                table: "alert_status_changes",
                type: "smallint",
                nullable: false,
                defaultValue: (short)1); // every v1 entry is a status change (AlertChangeAction.Status)

            migrationBuilder.AddColumn<long>(
                name: "comment_id",
                table: "alert_status_changes",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "from",
                table: "alert_status_changes",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "to",
                table: "alert_status_changes",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "alert_comments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    alert_id = table.Column<long>(type: "bigint", nullable: false),
                    author_id = table.Column<long>(type: "bigint", nullable: false),
                    body = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    deleted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_comments", x => x.id);
                    table.ForeignKey(
                        name: "fk_alert_comments_alerts_alert_id",
                        column: x => x.alert_id,
                        principalTable: "alerts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_alert_comments_users_author_id",
                        column: x => x.author_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_ack_pending",
                table: "alerts",
                column: "ack_due_at",
                filter: "first_acknowledged_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_acknowledged_late",
                table: "alerts",
                column: "created_at",
                filter: "acknowledged_late");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_assignee_id_created_at",
                table: "alerts",
                columns: new[] { "assignee_id", "created_at" },
                filter: "assignee_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_closed_late",
                table: "alerts",
                column: "created_at",
                filter: "closed_late");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_resolve_pending",
                table: "alerts",
                column: "resolve_due_at",
                filter: "closed_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_tags",
                table: "alerts",
                column: "tags")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_unassigned_created_at",
                table: "alerts",
                column: "created_at",
                filter: "assignee_id IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alert_status_changes_comment_id",
                table: "alert_status_changes",
                column: "comment_id",
                filter: "comment_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alert_comments_alert_id_created_at_id",
                table: "alert_comments",
                columns: new[] { "alert_id", "created_at", "id" },
                filter: "deleted_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_alert_comments_author_id",
                table: "alert_comments",
                column: "author_id");

            migrationBuilder.AddForeignKey(
                name: "fk_alert_status_changes_alert_comments_comment_id",
                table: "alert_status_changes",
                column: "comment_id",
                principalTable: "alert_comments",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_alerts_users_assignee_id",
                table: "alerts",
                column: "assignee_id",
                principalTable: "users",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_alert_status_changes_alert_comments_comment_id",
                table: "alert_status_changes");

            migrationBuilder.DropForeignKey(
                name: "fk_alerts_users_assignee_id",
                table: "alerts");

            migrationBuilder.DropTable(
                name: "alert_comments");

            migrationBuilder.DropIndex(
                name: "ix_alerts_ack_pending",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_acknowledged_late",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_assignee_id_created_at",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_closed_late",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_resolve_pending",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_tags",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_unassigned_created_at",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alert_status_changes_comment_id",
                table: "alert_status_changes");

            migrationBuilder.DropColumn(
                name: "ack_due_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "acknowledged_late",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "assignee_id",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "closed_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "closed_late",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "first_acknowledged_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "resolve_due_at",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "tags",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "action",
                table: "alert_status_changes");

            migrationBuilder.DropColumn(
                name: "comment_id",
                table: "alert_status_changes");

            migrationBuilder.DropColumn(
                name: "from",
                table: "alert_status_changes");

            migrationBuilder.DropColumn(
                name: "to",
                table: "alert_status_changes");

            migrationBuilder.AlterColumn<short>(
                name: "to_status",
                table: "alert_status_changes",
                type: "smallint",
                nullable: false,
                defaultValue: (short)0,
                oldClrType: typeof(short),
                oldType: "smallint",
                oldNullable: true);

            migrationBuilder.AlterColumn<short>(
                name: "from_status",
                table: "alert_status_changes",
                type: "smallint",
                nullable: false,
                defaultValue: (short)0,
                oldClrType: typeof(short),
                oldType: "smallint",
                oldNullable: true);
        }
    }
}
