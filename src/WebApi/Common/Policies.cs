namespace ThreatPlatform.WebApi.Common;

/// <summary>Authorization policies by role: Analyst covers every signed-in active user; Admin is admins only.</summary>
public static class Policies
{
    public const string Analyst = "analyst";
    public const string Admin = "admin";
}
