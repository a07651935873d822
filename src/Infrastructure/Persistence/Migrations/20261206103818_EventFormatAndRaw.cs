using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class EventFormatAndRaw : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // On the partitioned parent, so every partition gains both; a constant default rewrites no row. Stored
            // events were NATIVE and kept no record.
            migrationBuilder.Sql("""
                ALTER TABLE events
                    ADD COLUMN format smallint NOT NULL DEFAULT 0,
                    ADD COLUMN raw text;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE events DROP COLUMN format, DROP COLUMN raw;");
        }
    }
}
