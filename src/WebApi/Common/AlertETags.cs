using System.Globalization;
using Microsoft.Net.Http.Headers;
using ThreatPlatform.Application.Alerts.Common;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.WebApi.Common;

/// <summary>
/// ETags for alerts, from the row version (PostgreSQL's xmin): every answer that stands for one alert
/// (<see cref="IAlertVersioned"/>) carries <c>ETag: "&lt;xmin&gt;"</c>, and a single-alert write honours If-Match
/// through <see cref="IIfMatch"/> (the handler compares it with the alert it loaded: 412 when stale).
/// </summary>
internal static class AlertETags
{
    public static string Format(uint version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>An endpoint filter for a group: sets the ETag header from the answer when it stands for one alert.</summary>
    public static TBuilder WithAlertETags<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            var versioned = result switch
            {
                IAlertVersioned v => v,
                IValueHttpResult { Value: IAlertVersioned v } => v,
                _ => null,
            };
            if (versioned is not null)
            {
                context.HttpContext.Response.Headers.ETag = Format(versioned.AlertVersion);
            }

            return result;
        });
}

/// <summary>The request's If-Match header: absent or <c>*</c> allows any version; otherwise one of the listed ETags (weak or strong) must match.</summary>
internal sealed class IfMatchHeader(IHttpContextAccessor accessor) : IIfMatch
{
    public bool Allows(uint version)
    {
        if (Header() is not { } request)
        {
            return true;
        }

        // A value that does not parse as entity tags matches nothing (412), rather than being ignored.
        var ifMatch = request.GetTypedHeaders().IfMatch;

        var current = AlertETags.Format(version);
        return ifMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Tag.Equals(current, StringComparison.Ordinal));
    }

    public bool NamesAVersion =>
        Header() is { } request && !request.GetTypedHeaders().IfMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any));

    private HttpRequest? Header()
    {
        var request = accessor.HttpContext?.Request;
        return request is null || string.IsNullOrWhiteSpace(request.Headers.IfMatch) ? null : request;
    }
}
