using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("audit_entries");

        // The chain numbers entries itself, under its lock (AuditChain): no sequence, so no gaps from rolled-back saves.
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Actor).HasMaxLength(AuditEntry.ActorMaxLength);
        builder.Property(a => a.ClientAddress).HasMaxLength(AuditEntry.AddressMaxLength);
        builder.Property(a => a.Target).HasMaxLength(AuditEntry.TargetMaxLength);
        builder.Property(a => a.Detail).HasMaxLength(AuditEntry.DetailMaxLength);
        builder.Property(a => a.PreviousHash).HasMaxLength(AuditEntry.HashLength).IsFixedLength();
        builder.Property(a => a.Hash).HasMaxLength(AuditEntry.HashLength).IsFixedLength();

        // 1 for the entries hashed before the chain was keyed (the migration that added the column gave them 1), 2 after.
        builder.Property(a => a.ChainVersion);

        // GET /api/audit/?target=…: what happened to one user, sensor, key or alert, newest first.
        builder.HasIndex(a => new { a.Target, a.Id });

        // GET /api/audit/?actor_id=…: what one user did, newest first.
        builder.HasIndex(a => new { a.ActorId, a.Id });

        // GET /api/audit/?action=…: e.g. every failed or throttled login, newest first.
        builder.HasIndex(a => new { a.Action, a.Id });
    }
}
