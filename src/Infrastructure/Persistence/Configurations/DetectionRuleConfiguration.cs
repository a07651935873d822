using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Rules;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class DetectionRuleConfiguration : IEntityTypeConfiguration<DetectionRule>
{
    public void Configure(EntityTypeBuilder<DetectionRule> builder)
    {
        builder.ToTable("detection_rules");
        builder.Ignore(r => r.DomainEvents);
        builder.Property(r => r.Title).HasMaxLength(DetectionRule.TitleMaxLength);
        builder.Property(r => r.SigmaId).HasMaxLength(DetectionRule.SigmaIdMaxLength);
        builder.Property(r => r.Status).HasMaxLength(DetectionRule.StatusMaxLength);
        builder.Property(r => r.Tags).HasColumnType("text[]");
        builder.Property(r => r.LogsourceProduct).HasMaxLength(DetectionRule.LogsourceMaxLength);
        builder.Property(r => r.LogsourceCategory).HasMaxLength(DetectionRule.LogsourceMaxLength);
        builder.Property(r => r.LogsourceService).HasMaxLength(DetectionRule.LogsourceMaxLength);
        builder.Property(r => r.Technique).HasMaxLength(DetectionRule.TechniqueMaxLength);

        // Every API process loads the enabled rules (a few thousand at most) when the set changes: no index of its own.
    }
}
