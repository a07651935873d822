namespace ThreatPlatform.WebApi.Endpoints;

internal static class UserEndpoints
{
    public static void MapUserEndpoints(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
