using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class NotificationDeliveryConfiguration : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> builder)
    {
        builder.ToTable("notification_deliveries");
        builder.Property(d => d.Event).HasMaxLength(50);
        builder.Property(d => d.LastError).HasMaxLength(NotificationDelivery.LastErrorMaxLength);

        // A deleted channel or rule leaves its deliveries in the log (the dispatcher gives up on pending ones).
        builder.HasOne<NotificationChannel>().WithMany().HasForeignKey(d => d.ChannelId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<NotificationRule>().WithMany().HasForeignKey(d => d.RuleId).OnDelete(DeleteBehavior.SetNull);

        // The dispatcher's claim: PENDING and FAILED deliveries by due time (a small partial index: sent ones leave it).
        builder.HasIndex(d => d.NextAttemptAt, "ix_notification_deliveries_due")
            .HasDatabaseName("ix_notification_deliveries_due")
            .HasFilter("status IN (1, 3)");

        // A rule's throttle counts what the rule sent through a channel in the current window.
        builder.HasIndex(d => new { d.RuleId, d.ChannelId, d.CreatedAt });

        // alert=<id> on GET /api/notifications/deliveries/ and the alert detail's notifications.
        builder.HasIndex(d => d.AlertId);

        // channel=<id> on GET /api/notifications/deliveries/ (and the foreign key's lookups when a channel is deleted).
        builder.HasIndex(d => d.ChannelId);
    }
}
