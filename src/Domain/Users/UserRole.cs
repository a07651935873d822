namespace ThreatPlatform.Domain.Users;

public enum UserRole : short
{
    Analyst = 1,
    Admin = 2,
}
