namespace ThreatPlatform.WebApi.Common;

/// <summary>
/// Authorization policies by role: Analyst covers every signed-in active user; Admin is admins only; Ingest is every
/// user and sensors' API keys (which no other policy admits). The fallback policy (an endpoint that names none) and the
/// default one (a bare RequireAuthorization()) admit what Analyst admits: people, never a sensor's key.
/// </summary>
public static class Policies
{
    public const string Analyst = "analyst";
    public const string Admin = "admin";
    public const string Ingest = "ingest";
}
