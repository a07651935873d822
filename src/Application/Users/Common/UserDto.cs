using Riok.Mapperly.Abstractions;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Users.Common;

/// <summary>A user as admins see it (GET /api/users/, PATCH /api/users/{id}/). Never the password hash.</summary>
public sealed record UserDto(
    long Id,
    string Username,
    string Email,
    UserRole Role,
    bool IsActive,
    DateTimeOffset DateJoined,
    DateTimeOffset? LastLogin);

/// <summary>What register answers: the new account, without the admin-only fields.</summary>
public sealed record RegisteredUserDto(long Id, string Username, string Email, UserRole Role, DateTimeOffset DateJoined);

/// <summary>The signed-in user (GET /api/auth/me/).</summary>
public sealed record MeDto(long Id, string Username, string Email, UserRole Role);

/// <summary>Entity to DTO; target-driven so the hash and lockout counters can never leak into a response by accident.</summary>
[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class UserMapper
{
    public static partial UserDto ToDto(this User user);

    public static partial RegisteredUserDto ToRegisteredDto(this User user);

    public static partial IQueryable<UserDto> ProjectToDto(this IQueryable<User> users);

    public static partial IQueryable<MeDto> ProjectToMe(this IQueryable<User> users);
}
