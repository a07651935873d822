namespace ThreatPlatform.WebApi.Endpoints;

internal static class AuthEndpoints
{
    public static void MapAuthEndpoints(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
