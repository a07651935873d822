using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ThreatPlatform.Infrastructure.Persistence.Migrations
{
    /// <summary>
    /// SQL only (the columns do not change): an alert's history entries (<c>AlertHistoryEntry</c>, the wire's
    /// <c>history</c>) live in <c>alert_history</c>, with their keys, indexes and sequence named after it, so that
    /// "alert change" names only the live stream's log (<c>alert_changes</c>). No trigger, function or NOTIFY reads the
    /// history table by name.
    /// </summary>
    [DbContext(typeof(ApplicationDbContext))]
    [Migration("20261206150000_AlertHistoryTable")]
    public partial class AlertHistoryTable : Migration
    {
        private const string Up_ = """
            ALTER TABLE alert_status_changes RENAME TO alert_history;
            ALTER SEQUENCE alert_status_changes_id_seq RENAME TO alert_history_id_seq;
            ALTER TABLE alert_history RENAME CONSTRAINT pk_alert_status_changes TO pk_alert_history;
            ALTER TABLE alert_history RENAME CONSTRAINT fk_alert_status_changes_alerts_alert_id TO fk_alert_history_alerts_alert_id;
            ALTER TABLE alert_history RENAME CONSTRAINT fk_alert_status_changes_users_changed_by_id TO fk_alert_history_users_changed_by_id;
            ALTER TABLE alert_history RENAME CONSTRAINT fk_alert_status_changes_alert_comments_comment_id TO fk_alert_history_alert_comments_comment_id;
            ALTER INDEX ix_alert_status_changes_alert_id_changed_at RENAME TO ix_alert_history_alert_id_changed_at;
            ALTER INDEX ix_alert_status_changes_changed_by_id RENAME TO ix_alert_history_changed_by_id;
            ALTER INDEX ix_alert_status_changes_comment_id RENAME TO ix_alert_history_comment_id;
            """;

        private const string Down_ = """
            ALTER INDEX ix_alert_history_comment_id RENAME TO ix_alert_status_changes_comment_id;
            ALTER INDEX ix_alert_history_changed_by_id RENAME TO ix_alert_status_changes_changed_by_id;
            ALTER INDEX ix_alert_history_alert_id_changed_at RENAME TO ix_alert_status_changes_alert_id_changed_at;
            ALTER TABLE alert_history RENAME CONSTRAINT fk_alert_history_alert_comments_comment_id TO fk_alert_status_changes_alert_comments_comment_id;
            ALTER TABLE alert_history RENAME CONSTRAINT fk_alert_history_users_changed_by_id TO fk_alert_status_changes_users_changed_by_id;
            ALTER TABLE alert_history RENAME CONSTRAINT fk_alert_history_alerts_alert_id TO fk_alert_status_changes_alerts_alert_id;
            ALTER TABLE alert_history RENAME CONSTRAINT pk_alert_history TO pk_alert_status_changes;
            ALTER SEQUENCE alert_history_id_seq RENAME TO alert_status_changes_id_seq;
            ALTER TABLE alert_history RENAME TO alert_status_changes;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(Up_);

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.Sql(Down_);
    }
}
