using Microsoft.EntityFrameworkCore.Migrations;
using ThreatPlatform.Infrastructure.Persistence.Audit;
using ThreatPlatform.Infrastructure.Persistence.Schema;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class AuditAppendOnlyKeyedChain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // -- hand-written default: the entries already stored were hashed with plain SHA-256 (AuditChainVersion.Sha256);
            // the API writes every new entry's version itself, so AuditAppendOnlySql.Up drops the default again.
            migrationBuilder.AddColumn<short>(
                name: "chain_version",
                table: "audit_entries",
                type: "smallint",
                nullable: false,
                defaultValue: (short)1);

            // -- hand-written: append-only triggers and revokes (AuditAppendOnlySql); no model change.
            migrationBuilder.Sql(AuditAppendOnlySql.Up);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // -- hand-written: see Up.
            migrationBuilder.Sql(AuditAppendOnlySql.Down);

            migrationBuilder.DropColumn(
                name: "chain_version",
                table: "audit_entries");
        }
    }
}
