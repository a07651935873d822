namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>Who is calling, as the authenticated request says.</summary>
public interface ICurrentUser
{
    long? Id { get; }
}
