using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Infrastructure.Persistence.Configurations;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users");
        builder.Ignore(u => u.DomainEvents);
        builder.Property(u => u.Username).HasMaxLength(User.UsernameMaxLength);
        builder.Property(u => u.NormalizedUsername).HasMaxLength(User.UsernameMaxLength);
        builder.Property(u => u.Email).HasMaxLength(User.EmailMaxLength);
        builder.Property(u => u.NormalizedEmail).HasMaxLength(User.EmailMaxLength);
        builder.Property(u => u.PasswordHash).HasMaxLength(512);

        // Login and register look users up by normalized name/email; uniqueness is case-insensitive through them.
        builder.HasIndex(u => u.NormalizedUsername).IsUnique();
        builder.HasIndex(u => u.NormalizedEmail).IsUnique();
    }
}
