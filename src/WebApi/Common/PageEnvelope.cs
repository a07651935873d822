using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Extensions;
using ThreatPlatform.Application.Common.Paging;

namespace ThreatPlatform.WebApi.Common;

/// <summary>
/// DRF's paginated envelope: <c>{count, next, previous, results}</c> with absolute next/previous URLs or null, and
/// <c>count_is_exact: false</c> only when <c>count</c> stopped at the cap (an exact count keeps DRF's four fields).
/// </summary>
public sealed record PageEnvelope<T>(
    long Count,
    Uri? Next,
    Uri? Previous,
    IReadOnlyList<T> Results,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? CountIsExact = null);

public static class PageEnvelope
{
    /// <summary>
    /// Wraps a page; next/previous keep every query parameter of the request and change only where the page starts:
    /// <c>page</c>, or <c>cursor</c> (then <c>page</c> is dropped) when the next page is read by key.
    /// </summary>
    public static PageEnvelope<T> From<T>(Page<T> page, HttpRequest request) => new(
        page.Count,
        page.Next is { } next ? LinkTo(request, next) : null,
        page.HasPrevious ? LinkTo(request, new PageLink(page.PageNumber - 1, null)) : null,
        page.Items,
        page.CountIsExact ? null : false);

    private static Uri LinkTo(HttpRequest request, PageLink link)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString.Value);
        query.Remove("page");
        query.Remove("cursor");
        if (link.Cursor is { } cursor)
        {
            query["cursor"] = cursor;
        }
        else
        {
            query["page"] = link.PageNumber!.Value.ToString(CultureInfo.InvariantCulture);
        }

        var builder = new QueryBuilder();
        foreach (var (key, values) in query)
        {
            foreach (var value in values)
            {
                builder.Add(key, value ?? string.Empty);
            }
        }

        return new Uri(UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, builder.ToQueryString()));
    }
}
