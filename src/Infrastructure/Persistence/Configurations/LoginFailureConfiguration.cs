using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class LoginFailureConfiguration : IEntityTypeConfiguration<LoginFailure>
{
    public void Configure(EntityTypeBuilder<LoginFailure> builder)
    {
        builder.ToTable("login_failures");

        // Login reads every row of one username (the key's first column serves it).
        builder.HasKey(f => new { f.NormalizedUsername, f.Client });
        builder.Property(f => f.NormalizedUsername).HasMaxLength(User.UsernameMaxLength);
        builder.Property(f => f.Client).HasMaxLength(64);

        // The purge of failures past the window.
        builder.HasIndex(f => f.LastFailedAt);
    }
}
