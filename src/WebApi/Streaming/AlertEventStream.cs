using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Alerts.StreamAlerts;
using ThreatPlatform.Application.Users.GetUserAccess;

namespace ThreatPlatform.WebApi.Streaming;

/// <summary>
/// Writes the alert stream as Server-Sent Events: <c>id:</c> (the change log position), <c>event: alert.created</c> or
/// <c>alert.updated</c>, <c>data:</c> the alert as the list shows it, and a <c>: keep-alive</c> comment every
/// AlertStream:HeartbeatSeconds. Ends when the client goes, when the feed cuts a client that fell too far behind, when
/// the token that opened it expires, or at the first heartbeat after its user was deactivated or signed out everywhere
/// (the user's access is asked again at each heartbeat, from the principal cache).
/// </summary>
internal sealed class AlertEventStream(AlertStream stream, StreamGrant grant) : IResult
{
    /// <summary>The one path that accepts <c>?access_token=</c> (browsers cannot set headers on an EventSource).</summary>
    public const string Path = "/api/alerts/stream/";

    public const string ContentType = "text/event-stream";
    public const string LastEventIdHeader = "Last-Event-ID";
    public const string LastEventIdParameter = "last_event_id";

    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var heartbeat = TimeSpan.FromSeconds(services.GetRequiredService<IOptions<AlertStreamOptions>>().Value.HeartbeatSeconds);
        var clock = services.GetRequiredService<TimeProvider>();
        var sender = services.GetRequiredService<ISender>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        var cancellationToken = stop.Token;

        using var slot = grant;
        using var subscription = stream;
        Operations.ApiMetrics.StreamClients.Inc();
        using var counted = new Disconnect(() => Operations.ApiMetrics.StreamClients.Dec());
        await using var events = stream.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = events.MoveNextAsync().AsTask();
        using var timer = new PeriodicTimer(heartbeat);
        var tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
        var expiry = Task.Delay(Clamp(grant.ExpiresAt - clock.GetUtcNow()), clock, cancellationToken);

        var response = httpContext.Response;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(cancellationToken);
        await response.Body.FlushAsync(cancellationToken);

        try
        {
            while (true)
            {
                var done = await Task.WhenAny(next, tick, expiry);
                if (done == expiry)
                {
                    return;
                }

                if (done == tick)
                {
                    await tick;
                    if (!await StillAdmittedAsync(sender, cancellationToken))
                    {
                        return;
                    }

                    await response.Body.WriteAsync(KeepAlive, cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
                    continue;
                }

                if (!await next)
                {
                    return;
                }

                await response.Body.WriteAsync(Frame(events.Current, json), cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
                next = events.MoveNextAsync().AsTask();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            // An async iterator cannot be disposed while a MoveNextAsync is pending: cancel it and let it finish first.
            await stop.CancelAsync();
            await Task.WhenAll(next, tick, expiry).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Whether the stream's user is still active and its token not revoked since (a sign-out everywhere).</summary>
    private async Task<bool> StillAdmittedAsync(ISender sender, CancellationToken cancellationToken) =>
        await sender.Send(new GetUserAccessQuery(grant.UserId), cancellationToken) is { } access && access.Admits(grant.IssuedAt);

    // Task.Delay takes at most ~49 days; a token that lives longer than the clamp (none the API issues) ends its stream then.
    private static TimeSpan Clamp(TimeSpan untilExpiry) =>
        untilExpiry < TimeSpan.Zero ? TimeSpan.Zero : untilExpiry > LongestStream ? LongestStream : untilExpiry;

    private static readonly TimeSpan LongestStream = TimeSpan.FromDays(24);

    internal static string EventName(AlertChangeKind kind) => kind switch
    {
        AlertChangeKind.Created => "alert.created",
        _ => "alert.updated",
    };

    // The feed hands every client the same event object: its frame is serialized once, not once per client (1,000
    // clients on one host would otherwise serialize each alert 1,000 times). Entries go with their event.
    private static readonly ConditionalWeakTable<AlertStreamEvent, byte[]> Frames = [];

    private static byte[] Frame(AlertStreamEvent change, JsonSerializerOptions json) =>
        Frames.GetValue(change, c =>
        {
            // Compact JSON has no line breaks (string values escape theirs), so data fits on one SSE line.
            var data = JsonSerializer.Serialize(c.Alert, json);
            return Encoding.UTF8.GetBytes(string.Create(
                CultureInfo.InvariantCulture,
                $"id: {c.Id}\nevent: {EventName(c.Kind)}\ndata: {data}\n\n"));
        });

    private sealed class Disconnect(Action onDispose) : IDisposable
    {
        public void Dispose() => onDispose();
    }
}
