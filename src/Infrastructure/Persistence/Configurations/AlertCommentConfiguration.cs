using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class AlertCommentConfiguration : IEntityTypeConfiguration<AlertComment>
{
    public void Configure(EntityTypeBuilder<AlertComment> builder)
    {
        builder.ToTable("alert_comments");
        builder.Ignore(c => c.IsDeleted);
        builder.Property(c => c.Body).HasMaxLength(AlertComment.BodyMaxLength);
        builder.HasOne<Alert>().WithMany().HasForeignKey(c => c.AlertId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.AuthorId).OnDelete(DeleteBehavior.Restrict);

        // GET /api/alerts/{id}/comments/ (oldest first) and comments_count on alert detail: the listed comments of one alert.
        builder.HasIndex(c => new { c.AlertId, c.CreatedAt, c.Id }).HasFilter("deleted_at IS NULL");

        // Foreign key lookups when a user row is checked (users are never deleted today, but the key must not scan).
        builder.HasIndex(c => c.AuthorId);
    }
}
