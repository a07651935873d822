using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Net.Http.Headers;
using Serilog.Core;
using Serilog.Events;
using ThreatPlatform.WebApi.Streaming;

namespace ThreatPlatform.WebApi.Auth;

/// <summary>
/// <c>?access_token=</c> on the alert stream only: a browser's EventSource cannot send an Authorization header. Any other
/// path ignores the query (a token there is a 401), so tokens do not spread into URLs, proxies' logs and histories.
/// </summary>
internal static partial class StreamAccessToken
{
    public const string Parameter = "access_token";

    public static Task ReadFromQueryOnTheStream(MessageReceivedContext context)
    {
        var request = context.Request;
        if (request.Path.Equals(AlertEventStream.Path, StringComparison.OrdinalIgnoreCase)
            && !request.Headers.ContainsKey(HeaderNames.Authorization)
            && request.Query.TryGetValue(Parameter, out var token)
            && token.Count == 1
            && !string.IsNullOrWhiteSpace(token))
        {
            context.Token = token.ToString();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Our request log names the path only, but ASP.NET Core's own request lines carry the query string (at Information,
    /// off by default): whatever the log level, a logged query string never shows an access token.
    /// </summary>
    internal sealed partial class Redaction : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            foreach (var (name, value) in logEvent.Properties.ToList())
            {
                if (value is ScalarValue { Value: string text } && text.Contains(Parameter, StringComparison.OrdinalIgnoreCase))
                {
                    logEvent.AddOrUpdateProperty(propertyFactory.CreateProperty(name, TokenValue().Replace(text, "$1[REDACTED]")));
                }
            }
        }

        [GeneratedRegex("(access_token=)[^&\\s]*", RegexOptions.IgnoreCase)]
        private static partial Regex TokenValue();
    }
}
