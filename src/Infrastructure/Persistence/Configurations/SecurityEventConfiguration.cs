using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class SecurityEventConfiguration : IEntityTypeConfiguration<SecurityEvent>
{
    public void Configure(EntityTypeBuilder<SecurityEvent> builder)
    {
        // Partitioned by month on timestamp (migration EventPartitions, EventPartitionsSql): the database's primary key is
        // (id, timestamp), as a partitioned table's unique keys must hold the partition key. EF Core keeps Id alone as the
        // entity key: ids come from one sequence, so Id is unique all the same, and nothing EF writes needs the pair.
        builder.ToTable("events");
        builder.Ignore(e => e.DomainEvents);
        builder.Property(e => e.Source).HasMaxLength(SecurityEvent.SourceMaxLength);
        builder.Property(e => e.EventType).HasMaxLength(SecurityEvent.EventTypeMaxLength);
        builder.Property(e => e.Description).HasMaxLength(SecurityEvent.DescriptionMaxLength);
        builder.Property(e => e.ExternalId).HasMaxLength(SecurityEvent.ExternalIdMaxLength);
        builder.Property(e => e.Metadata).HasColumnType("jsonb");
        builder.Property(e => e.SourceIp).HasColumnType("inet");
        builder.Property(e => e.DestinationIp).HasColumnType("inet");
        builder.Property(e => e.Raw).HasColumnType("text");
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.IngestedById).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Sensor>().WithMany().HasForeignKey(e => e.SensorId).OnDelete(DeleteBehavior.SetNull);
        builder.Ignore(e => e.Detection);
        builder.Ignore(e => e.OccurredAtGiven);
        builder.Ignore(e => e.Groups);
        builder.Ignore(e => e.Fingerprint);
        builder.Ignore(e => e.HasAlert);
        builder.Ignore(e => e.Alert);
        builder.Ignore(e => e.FirstAlertId);

        // GET /api/alerts/{id}/events/: the events folded into one alert, newest first (the one that raised it is found
        // through alerts.event_id).
        builder.HasOne<Alert>().WithMany().HasForeignKey(e => e.FoldedIntoAlertId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(e => new { e.FoldedIntoAlertId, e.Timestamp }).HasFilter("folded_into_alert_id IS NOT NULL");
        builder.Property(e => e.DetectionModel).HasMaxLength(Detection.ModelMaxLength);
        builder.Property(e => e.DetectionModelVersion).HasMaxLength(Detection.ModelVersionMaxLength);
        builder.Property(e => e.DetectionTechnique).HasMaxLength(Detection.TechniqueMaxLength);

        // detection__technique on GET /api/events/ (a technique and its sub-techniques), newest first.
        builder.HasIndex(e => new { e.DetectionTechnique, e.Timestamp }).HasFilter("detection_technique IS NOT NULL");

        // detection__confidence__gte on GET /api/events/: only model-made events are in it.
        builder.HasIndex(e => new { e.DetectionConfidence, e.Timestamp }).HasFilter("detection_confidence IS NOT NULL");

        // The events list's source filter, and the lookup of a repeat's stored twin. Not unique: a unique index on a
        // partitioned table must hold the partition key, which would make the key unique per month only. A sensor's
        // (source, external_id) is stored once through the unpartitioned event_keys table (pk_event_keys), which a
        // trigger on events writes in the inserting statement (EventPartitionsSql).
        builder.HasIndex(e => new { e.Source, e.ExternalId });

        // GET /api/events/ default ordering (-timestamp) and occurred_at range filters and orderings.
        builder.HasIndex(e => e.Timestamp);
        builder.HasIndex(e => e.OccurredAt);

        // severity and event_type filters, newest first; -severity (highest first, then newest) walks the first backwards.
        builder.HasIndex(e => new { e.Severity, e.Timestamp });
        builder.HasIndex(e => new { e.EventType, e.Timestamp });

        // ordering=severity (lowest first, then newest first), first pages and cursor pages.
        builder.HasIndex(e => new { e.Severity, e.Timestamp }, "ix_events_severity_timestamp_desc").HasDatabaseName("ix_events_severity_timestamp_desc").IsDescending(false, true);

        // A sensor's events_ingested (count) and last_seen_at (max timestamp), derived on read instead of a hot counter.
        builder.HasIndex(e => new { e.SensorId, e.Timestamp });

        // search: case-insensitive substring over source, event type and description (trigram GIN, not a seq scan).
        builder.HasIndex(e => new { e.Source, e.EventType, e.Description })
            .HasDatabaseName("ix_events_search_trgm")
            .HasMethod("gin")
            .HasOperators("gin_trgm_ops", "gin_trgm_ops", "gin_trgm_ops");
    }
}
