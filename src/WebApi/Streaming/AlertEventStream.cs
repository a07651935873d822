using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Alerts.StreamAlerts;

namespace ThreatPlatform.WebApi.Streaming;

/// <summary>
/// Writes the alert stream as Server-Sent Events: <c>id:</c> (the change log position), <c>event: alert.created</c> or
/// <c>alert.updated</c>, <c>data:</c> the alert as the list shows it, and a <c>: keep-alive</c> comment every
/// AlertStream:HeartbeatSeconds. Ends when the client goes, or when the feed cuts a client that fell too far behind.
/// </summary>
internal sealed class AlertEventStream(AlertStream stream) : IResult
{

    public const string ContentType = "text/event-stream";
    public const string LastEventIdHeader = "Last-Event-ID";
    public const string LastEventIdParameter = "last_event_id";

    private static readonly byte[] KeepAlive = ": keep-alive\n\n"u8.ToArray();

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var heartbeat = TimeSpan.FromSeconds(services.GetRequiredService<IOptions<AlertStreamOptions>>().Value.HeartbeatSeconds);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);
        var cancellationToken = stop.Token;

        using var subscription = stream;
        Operations.ApiMetrics.StreamClients.Inc();
        using var counted = new Disconnect(() => Operations.ApiMetrics.StreamClients.Dec());
        await using var events = stream.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = events.MoveNextAsync().AsTask();
        using var timer = new PeriodicTimer(heartbeat);
        var tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();

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
                var done = await Task.WhenAny(next, tick);
                if (done == tick)
                {
                    await tick;
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
            await Task.WhenAll(next, tick).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

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
