using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class NotificationRuleConfiguration : IEntityTypeConfiguration<NotificationRule>
{
    public void Configure(EntityTypeBuilder<NotificationRule> builder)
    {
        builder.ToTable("notification_rules");
        builder.Ignore(r => r.DomainEvents);
        builder.Property(r => r.Name).HasMaxLength(NotificationRule.NameMaxLength);
        builder.Property(r => r.NormalizedName).HasMaxLength(NotificationRule.NameMaxLength);
        builder.Property(r => r.Events).HasColumnType("text[]");
        builder.Property(r => r.Sources).HasColumnType("text[]");
        builder.Property(r => r.Tags).HasColumnType("text[]");
        builder.Property(r => r.Techniques).HasColumnType("text[]");
        builder.Property(r => r.ChannelIds).HasColumnType("bigint[]");

        // Create and rename check the name by its normalized form. (The alert triggers read every active rule: a
        // platform has tens of rules, not thousands, so they need no index of their own.)
        builder.HasIndex(r => r.NormalizedName).IsUnique();
    }
}
