using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>Who is calling, as the authenticated request says: a user (token) or a sensor (API key).</summary>
public interface ICurrentUser
{
    /// <summary>The signed-in user; null for a sensor's API key.</summary>
    long? Id { get; }

    /// <summary>The sensor whose API key is calling; null for a user.</summary>
    long? SensorId { get; }

    /// <summary>Whether the calling sensor has grouping on (its severe events fold into open alerts); false for a user.</summary>
    bool SensorGroups { get; }

    /// <summary>The API key that is calling; null for a user.</summary>
    long? ApiKeyId { get; }

    /// <summary>The caller's role now (read from the database on every request, not from the token alone).</summary>
    UserRole? Role { get; }
}

public static class CurrentUserExtensions
{
    /// <summary>The caller's id, for a use case only an authenticated caller reaches.</summary>
    public static long RequiredId(this ICurrentUser user, string useCase) =>
        user.Id ?? throw new InvalidOperationException($"{useCase} needs an authenticated caller.");

    public static bool IsAdmin(this ICurrentUser user) => user.Role == UserRole.Admin;
}
