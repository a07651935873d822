using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class SensorConfiguration : IEntityTypeConfiguration<Sensor>
{
    public void Configure(EntityTypeBuilder<Sensor> builder)
    {
        builder.ToTable("sensors");
        builder.Property(s => s.LogsourceProduct).HasMaxLength(Domain.Rules.DetectionRule.LogsourceMaxLength);
        builder.Property(s => s.LogsourceCategory).HasMaxLength(Domain.Rules.DetectionRule.LogsourceMaxLength);
        builder.Property(s => s.LogsourceService).HasMaxLength(Domain.Rules.DetectionRule.LogsourceMaxLength);
        builder.Ignore(s => s.DomainEvents);
        builder.Property(s => s.Name).HasMaxLength(Sensor.NameMaxLength);
        builder.Property(s => s.NormalizedName).HasMaxLength(Sensor.NameMaxLength);
        builder.Property(s => s.Description).HasMaxLength(Sensor.DescriptionMaxLength);
        builder.HasMany(s => s.Sources).WithOne().HasForeignKey(x => x.SensorId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(s => s.Sources).UsePropertyAccessMode(PropertyAccessMode.Field);

        // A text[] of canonical CIDR texts: read whole with the sensor (the syslog listener matches senders in memory).
        builder.PrimitiveCollection(s => s.SyslogNetworks).HasColumnType("text[]").IsRequired();

        // Create and rename check the name by its normalized form; uniqueness is case-insensitive through it.
        // (The list's kind/is_active filters and search need no index: a platform has tens of sensors, not millions.)
        builder.HasIndex(s => s.NormalizedName).IsUnique();
    }
}
