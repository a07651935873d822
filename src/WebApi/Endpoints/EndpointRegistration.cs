namespace ThreatPlatform.WebApi.Endpoints;

internal static class EndpointRegistration
{
    public static void MapApiEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapAuthEndpoints();
        api.MapUserEndpoints();
        api.MapEventEndpoints();
        api.MapEventBatchEndpoints();
        api.MapRawIngestEndpoints();
        api.MapAlertEndpoints();
        api.MapSensorEndpoints();
        api.MapAlertStreamEndpoints();
        api.MapStatsEndpoints();
        api.MapAuditEndpoints();
        api.MapNotificationEndpoints();
        api.MapRuleEndpoints();
    }
}
