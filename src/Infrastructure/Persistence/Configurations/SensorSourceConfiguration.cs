using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class SensorSourceConfiguration : IEntityTypeConfiguration<SensorSource>
{
    public void Configure(EntityTypeBuilder<SensorSource> builder)
    {
        builder.ToTable("sensor_sources");
        builder.Property(s => s.Source).HasMaxLength(Sensor.SourceMaxLength);

        // The primary key is the source: ingest's "who owns this source" is one probe of it, and a source has one owner.
        builder.HasKey(s => s.Source);

        // A sensor's own sources (its detail, and the ownership check when its sources change).
        builder.HasIndex(s => s.SensorId);
    }
}
