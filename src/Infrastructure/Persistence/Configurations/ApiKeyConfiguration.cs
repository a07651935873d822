using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.Property(k => k.Name).HasMaxLength(ApiKey.NameMaxLength);
        builder.Property(k => k.Prefix).HasMaxLength(ApiKey.PrefixLength);
        builder.Property(k => k.SecretHash).HasMaxLength(ApiKey.HashLength);
        builder.HasOne<Sensor>().WithMany().HasForeignKey(k => k.SensorId).OnDelete(DeleteBehavior.Cascade);

        // Authentication finds a presented key by its prefix (on a cache miss).
        builder.HasIndex(k => k.Prefix).IsUnique();

        // GET /api/sensors/{id}/keys/ lists one sensor's keys.
        builder.HasIndex(k => k.SensorId);
    }
}
