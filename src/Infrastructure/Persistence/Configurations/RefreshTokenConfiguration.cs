using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> builder)
    {
        builder.ToTable("refresh_tokens");
        builder.Property(t => t.TokenHash).HasMaxLength(64).IsFixedLength();
        builder.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);

        // Refresh looks a presented token up by its hash.
        builder.HasIndex(t => t.TokenHash).IsUnique();

        // Reuse detection and logout revoke a whole family at once.
        builder.HasIndex(t => t.FamilyId);
    }
}
