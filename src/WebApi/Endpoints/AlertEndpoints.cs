namespace ThreatPlatform.WebApi.Endpoints;

internal static class AlertEndpoints
{
    public static void MapAlertEndpoints(this IEndpointRouteBuilder api)
    {
        _ = api;
    }
}
