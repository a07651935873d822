namespace ThreatPlatform.WebApi.Endpoints;

internal static class EventEndpoints
{
    public static void MapEventEndpoints(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
