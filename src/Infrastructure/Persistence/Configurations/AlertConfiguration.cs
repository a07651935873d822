using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> builder)
    {
        builder.ToTable("alerts");
        builder.Property(a => a.Source).HasMaxLength(Domain.SecurityEvents.SecurityEvent.SourceMaxLength);
        builder.Property(a => a.EventType).HasMaxLength(Domain.SecurityEvents.SecurityEvent.EventTypeMaxLength);
        builder.Property(a => a.Description).HasMaxLength(Domain.SecurityEvents.SecurityEvent.DescriptionMaxLength);
        builder.Ignore(a => a.Detection);
        builder.Ignore(a => a.Fingerprint);
        builder.Property(a => a.SourceIp).HasColumnType("inet");
        builder.Property(a => a.DestinationIp).HasColumnType("inet");
        builder.HasOne<Domain.Sensors.Sensor>().WithMany().HasForeignKey(a => a.SensorId).OnDelete(DeleteBehavior.SetNull);

        // Grouping: at most one collecting alert per fingerprint (absent addresses match each other), the unique partial
        // index ix_alerts_collecting_fingerprint on (sensor_id, source, event_type, source_ip, destination_ip) NULLS NOT
        // DISTINCT WHERE folds_events. Two events that raise one at the same moment meet there and the later folds
        // instead; batch ingest names it in its upsert. Created by the Grouping migration's SQL, not declared here: EF
        // Core orders its writes by the values of unique index columns and cannot compare IPAddress.
        // ordering=last_seen_at and ordering=occurrences on GET /api/alerts/ (the busiest or most recently active first).
        builder.HasIndex(a => new { a.LastSeenAt, a.Id });
        builder.HasIndex(a => new { a.Occurrences, a.Id });
        builder.Property(a => a.DetectionModel).HasMaxLength(Domain.SecurityEvents.Detection.ModelMaxLength);
        builder.Property(a => a.DetectionModelVersion).HasMaxLength(Domain.SecurityEvents.Detection.ModelVersionMaxLength);
        builder.Property(a => a.DetectionTechnique).HasMaxLength(Domain.SecurityEvents.Detection.TechniqueMaxLength);

        // detection__technique on GET /api/alerts/ (a technique and its sub-techniques), newest first.
        builder.HasIndex(a => new { a.DetectionTechnique, a.CreatedAt }).HasFilter("detection_technique IS NOT NULL");

        // detection__confidence__gte on GET /api/alerts/: only alerts from model-made events are in it.
        builder.HasIndex(a => new { a.DetectionConfidence, a.CreatedAt }).HasFilter("detection_confidence IS NOT NULL");

        // One alert per event (the unique index below). The relationship lets EF Core write alerts.event_id from the event
        // inserted in the same save; the database holds no foreign key for it (migration EventPartitions dropped it):
        // retention drops whole months of events and alerts outlive them, keeping their snapshot. So an alert's event may
        // be gone: read it with AlertEvents.WithEvent (a left join), never Include(a => a.Event), which EF Core makes an
        // inner join for this required relationship and which would hide the alert.
        // An event raises at most one alert of its severity and one per detection rule it matched: unique on (event_id,
        // rule_id) with NULLS NOT DISTINCT (the severity's alert has no rule).
        builder.HasOne(a => a.Event).WithMany().HasForeignKey(a => a.EventId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.EventId, a.RuleId }).IsUnique().AreNullsDistinct(false);

        // The rule that raised the alert, as it was (no foreign key: deleting a rule keeps its alerts). rule=<id> on
        // GET /api/alerts/ (newest first), and each rule's hits (a count per rule).
        builder.Property(a => a.RuleTitle).HasMaxLength(Domain.Rules.DetectionRule.TitleMaxLength);
        builder.Property(a => a.RuleTechnique).HasMaxLength(Domain.Rules.DetectionRule.TechniqueMaxLength);
        builder.HasIndex(a => new { a.RuleId, a.CreatedAt }).HasFilter("rule_id IS NOT NULL");

        // Optimistic concurrency on PostgreSQL's xmin: two admins changing one alert at once, the loser gets a 409.
        // The same xmin is the alert's ETag (If-Match on single-alert writes).
        builder.Property(a => a.Version).IsRowVersion().HasColumnName("xmin").HasColumnType("xid").ValueGeneratedOnAddOrUpdate();
        builder.Ignore(a => a.DomainEvents);

        builder.HasOne(a => a.Assignee).WithMany().HasForeignKey(a => a.AssigneeId).OnDelete(DeleteBehavior.Restrict);

        // assignee=<id> and assignee=me on GET /api/alerts/, newest first.
        builder.HasIndex(a => new { a.AssigneeId, a.CreatedAt }).HasFilter("assignee_id IS NOT NULL");

        // assignee=none on GET /api/alerts/ (the unassigned queue), newest first.
        builder.HasIndex(a => a.CreatedAt, "ix_alerts_unassigned_created_at").HasDatabaseName("ix_alerts_unassigned_created_at").HasFilter("assignee_id IS NULL");

        // tags on GET /api/alerts/: every given tag must be present (array containment, @>).
        builder.Property(a => a.Tags).HasColumnType("text[]");
        builder.HasIndex(a => a.Tags).HasMethod("gin");

        // sla_breached=true on GET /api/alerts/: one partial index per arm of SlaBreach.At, combined by a bitmap OR.
        builder.HasIndex(a => a.AckDueAt, "ix_alerts_ack_pending").HasDatabaseName("ix_alerts_ack_pending").HasFilter("first_acknowledged_at IS NULL");
        builder.HasIndex(a => a.CreatedAt, "ix_alerts_acknowledged_late").HasDatabaseName("ix_alerts_acknowledged_late").HasFilter("acknowledged_late");
        builder.HasIndex(a => a.ResolveDueAt, "ix_alerts_resolve_pending").HasDatabaseName("ix_alerts_resolve_pending").HasFilter("closed_at IS NULL");
        builder.HasIndex(a => a.CreatedAt, "ix_alerts_closed_late").HasDatabaseName("ix_alerts_closed_late").HasFilter("closed_late");

        // Every change (status, assignee, tags, comments, escalations): the alert's history.
        builder.OwnsMany(a => a.History, history =>
        {
            history.ToTable("alert_history");
            history.WithOwner().HasForeignKey(h => h.AlertId);
            history.HasKey(h => h.Id);
            history.Property(h => h.Note).HasMaxLength(AlertHistoryEntry.NoteMaxLength);
            history.Property(h => h.From).HasMaxLength(AlertHistoryEntry.NoteMaxLength);
            history.Property(h => h.To).HasMaxLength(AlertHistoryEntry.NoteMaxLength);
            history.Property(h => h.ChangedById).IsRequired(false);
            history.HasOne<User>().WithMany().HasForeignKey(h => h.ChangedById).OnDelete(DeleteBehavior.Restrict);
            history.HasOne(h => h.Comment).WithMany().HasForeignKey(h => h.CommentId).OnDelete(DeleteBehavior.Restrict);

            // The comment an entry names (foreign key lookups when a comment row is checked).
            history.HasIndex(h => h.CommentId).HasFilter("comment_id IS NOT NULL");

            // Alert detail reads the history of one alert in order.
            history.HasIndex(h => new { h.AlertId, h.ChangedAt });
        });
        builder.Navigation(a => a.History).UsePropertyAccessMode(PropertyAccessMode.Field);

        // GET /api/alerts/ default ordering (-created_at) and created_at range filters.
        builder.HasIndex(a => a.CreatedAt);
        builder.HasIndex(a => a.UpdatedAt);

        // status and event__severity filters, newest first, and the orderings -status and -event__severity (highest first,
        // then newest first: these indexes walked backwards), first pages and cursor pages alike.
        builder.HasIndex(a => new { a.Status, a.CreatedAt });
        builder.HasIndex(a => new { a.Severity, a.CreatedAt });

        // The orderings status and event__severity (lowest first, then newest first), first pages and cursor pages: the
        // ascending key with created_at descending, which neither index above gives in one walk.
        builder.HasIndex(a => new { a.Status, a.CreatedAt }, "ix_alerts_status_created_at_desc").HasDatabaseName("ix_alerts_status_created_at_desc").IsDescending(false, true);
        builder.HasIndex(a => new { a.Severity, a.CreatedAt }, "ix_alerts_severity_created_at_desc").HasDatabaseName("ix_alerts_severity_created_at_desc").IsDescending(false, true);

        // event__source and event__event_type filters, newest first.
        builder.HasIndex(a => new { a.Source, a.CreatedAt });
        builder.HasIndex(a => new { a.EventType, a.CreatedAt });

        // search on GET /api/alerts/: case-insensitive substring over the snapshot of source, event type and description
        // (trigram GIN), so it combines with the filters above in one bitmap on this table.
        builder.HasIndex(a => new { a.Source, a.EventType, a.Description })
            .HasDatabaseName("ix_alerts_search_trgm")
            .HasMethod("gin")
            .HasOperators("gin_trgm_ops", "gin_trgm_ops", "gin_trgm_ops");
    }
}
