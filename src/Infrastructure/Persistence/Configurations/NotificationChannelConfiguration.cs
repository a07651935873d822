using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Notifications;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class NotificationChannelConfiguration : IEntityTypeConfiguration<NotificationChannel>
{
    private static readonly JsonSerializerOptions ConfigJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public void Configure(EntityTypeBuilder<NotificationChannel> builder)
    {
        builder.ToTable("notification_channels");
        builder.Ignore(c => c.DomainEvents);
        builder.Property(c => c.Name).HasMaxLength(NotificationChannel.NameMaxLength);
        builder.Property(c => c.NormalizedName).HasMaxLength(NotificationChannel.NameMaxLength);

        // The shown settings (addresses, URL) as one jsonb document; the secret has a column of its own that no
        // projection reads (see NotificationChannel.Secret).
        builder.Property(c => c.Config)
            .HasColumnType("jsonb")
            .HasConversion(
                c => JsonSerializer.Serialize(c, ConfigJson),
                text => JsonSerializer.Deserialize<ChannelConfig>(text, ConfigJson)!);
        builder.Property(c => c.Secret).HasMaxLength(200);

        // Create and rename check the name by its normalized form; uniqueness is case-insensitive through it.
        builder.HasIndex(c => c.NormalizedName).IsUnique();
    }
}
