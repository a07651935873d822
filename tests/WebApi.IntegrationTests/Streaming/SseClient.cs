using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ThreatPlatform.WebApi.IntegrationTests.Streaming;

/// <summary>One Server-Sent Events message: a comment, or an event with its id, name and data.</summary>
internal sealed record SseMessage(string? Id, string? Event, string? Data, string? Comment)
{
    public long IdNumber => long.Parse(Id!, System.Globalization.CultureInfo.InvariantCulture);

    public long AlertId
    {
        get
        {
            using var document = System.Text.Json.JsonDocument.Parse(Data!);
            return document.RootElement.GetProperty("id").GetInt64();
        }
    }
}

/// <summary>Reads an SSE response as it streams (headers first), each read with its own timeout.</summary>
internal sealed class SseClient : IAsyncDisposable
{
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);
    public const string Path = "/api/alerts/stream/";

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseClient(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path = Path, string? lastEventId = null, string accept = "text/event-stream")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = new CancellationTokenSource(ReadTimeout);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
    }

    public static async Task<SseClient> OpenAsync(HttpClient client, string path = Path, string? lastEventId = null)
    {
        var response = await SendAsync(client, path, lastEventId);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var body = await response.Content.ReadAsStreamAsync();
        return new SseClient(response, new StreamReader(body, Encoding.UTF8));
    }

    /// <summary>The next message (comment or event); fails the test when none arrives within <paramref name="timeout"/>.</summary>
    public async Task<SseMessage> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? ReadTimeout);
        string? id = null, name = null, comment = null;
        var data = new List<string>();
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(cancel.Token);
            }
            catch (Exception e) when (e is OperationCanceledException || (e is IOException && cancel.IsCancellationRequested))
            {
                throw new TimeoutException($"No SSE message within {(timeout ?? ReadTimeout).TotalSeconds} s.");
            }

            if (line is null)
            {
                throw new EndOfStreamException("The stream ended.");
            }

            if (line.Length == 0)
            {
                if (id is null && name is null && comment is null && data.Count == 0)
                {
                    continue;
                }

                return new SseMessage(id, name, data.Count > 0 ? string.Join('\n', data) : null, comment);
            }

            if (line.StartsWith(':'))
            {
                comment = line[1..].Trim();
                continue;
            }

            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "data": data.Add(value); break;
            }
        }
    }

    /// <summary>The next event, skipping keep-alive comments.</summary>
    public async Task<SseMessage> NextEventAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? ReadTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No SSE event within {(timeout ?? ReadTimeout).TotalSeconds} s.");
            }

            var message = await NextAsync(left);
            if (message.Comment is null)
            {
                return message;
            }
        }
    }

    /// <summary>
    /// Events until none arrives for <paramref name="quiet"/>. The last read of a stream: a cancelled read aborts a
    /// TestServer response.
    /// </summary>
    public async Task<IReadOnlyList<SseMessage>> DrainAsync(TimeSpan quiet)
    {
        var events = new List<SseMessage>();
        try
        {
            while (true)
            {
                events.Add(await NextEventAsync(quiet));
            }
        }
        catch (TimeoutException)
        {
            return events;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
