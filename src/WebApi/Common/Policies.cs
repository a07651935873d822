namespace ThreatPlatform.WebApi.Common;

/// <summary>
/// Authorization policies by role: Analyst covers every signed-in active user; Admin is admins only; Ingest is every
/// user and sensors' API keys (which no other policy admits).
/// </summary>
public static class Policies
{
    public const string Analyst = "analyst";
    public const string Admin = "admin";
    public const string Ingest = "ingest";
}
