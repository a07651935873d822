using Mediator;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Alerts.StreamAlerts;
using ThreatPlatform.WebApi.Auth;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Streaming;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class AlertStreamEndpoints
{
    public static void MapAlertStreamEndpoints(this IEndpointRouteBuilder api)
    {
        var alerts = api.MapGroup("/alerts").WithTags("Alerts").RequireAuthorization(Policies.Analyst);

        alerts.MapGet("/stream/", OpenAsync)
            .WithName("Alerts_Stream")
            .WithSummary("Alert changes as they happen, as Server-Sent Events")
            .WithDescription(
                "text/event-stream. Events 'alert.created' and 'alert.updated', whose data is the alert as GET /api/alerts/ shows it; " +
                "every event has an 'id:' (its position in a durable change log shared by every API replica). Reconnecting with the " +
                "Last-Event-ID header (or ?last_event_id=) first replays everything after that id (at least 24 h back). A ': keep-alive' " +
                "comment every 15 s (AlertStream:HeartbeatSeconds). A client that falls 1,000 events behind is disconnected and resumes " +
                "with Last-Event-ID. Browsers' EventSource cannot send headers: ?access_token=<jwt> is accepted on this path only. " +
                "The stream ends when the access token that opened it expires (reconnect with a fresh token and Last-Event-ID), and at " +
                "the next keep-alive after the user is deactivated or signs out everywhere. A user holds at most " +
                "AlertStream:MaxStreamsPerUser (default 5) streams open on one API process: the next is a 429 with Retry-After.")
            .Produces<AlertDto>(StatusCodes.Status200OK, AlertEventStream.ContentType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> OpenAsync(HttpContext http, ISender sender, StreamSlots slots, TimeProvider clock, CancellationToken ct)
    {
        var query = ReadQuery(http.Request);
        var user = http.User;
        if (user.UserId() is not { } userId || user.IssuedAt() is not { } issuedAt || user.ExpiresAt() is not { } expiresAt
            || expiresAt <= clock.GetUtcNow())
        {
            // Within the clock skew an expired token still authenticates; a stream it opened would end at once, and
            // the client would reconnect with it again and again instead of refreshing it.
            return Results.Challenge();
        }

        var grant = slots.Take(userId, issuedAt, expiresAt);
        try
        {
            return new AlertEventStream(await sender.Send(query, ct), grant);
        }
        catch
        {
            grant.Dispose();
            throw;
        }
    }

    private static OpenAlertStreamQuery ReadQuery(HttpRequest request)
    {
        var fields = new WireFields();
        var header = request.Headers[AlertEventStream.LastEventIdHeader].ToString();
        var lastEventId = header.Length > 0
            ? fields.Value(typeof(long), header, AlertEventStream.LastEventIdHeader) as long?
            : fields.Value(typeof(long), request.Query[AlertEventStream.LastEventIdParameter], AlertEventStream.LastEventIdParameter) as long?;
        if (lastEventId is < 0)
        {
            fields.Fail(header.Length > 0 ? AlertEventStream.LastEventIdHeader : AlertEventStream.LastEventIdParameter, "The last event id must be 0 or more.");
        }

        return fields.Result(() => new OpenAlertStreamQuery(lastEventId));
    }
}
