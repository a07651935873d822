namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>Who is calling, as the authenticated request says: a user (token) or a sensor (API key).</summary>
public interface ICurrentUser
{
    /// <summary>The signed-in user; null for a sensor's API key.</summary>
    long? Id { get; }

    /// <summary>The sensor whose API key is calling; null for a user.</summary>
    long? SensorId { get; }

    /// <summary>The API key that is calling; null for a user.</summary>
    long? ApiKeyId { get; }
}
